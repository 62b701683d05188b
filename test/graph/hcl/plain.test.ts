import test from 'ava';
import { ConvergeError } from '../../../src/errors.js';
import { parseHcl, toPlain } from '../../../src/graph/hcl/index.js';

function plain(src: string): unknown {
  return toPlain(parseHcl(src, 'x.hcl'));
}

test('top-level objects are lists of maps; objects inside lists are maps', (t) => {
  t.deepEqual(plain('h = { i = 1 }\nl = [{ a = { b = 1 } }]\nk = {}'), { h: [{ i: 1 }], l: [{ a: [{ b: 1 }] }], k: [{}] });
});

test('repeated blocks and lists append; repeated scalars take the last value', (t) => {
  t.deepEqual(plain('c { d = 1 }\nc { e = 2 }\nx = [1]\nx = [2]\ny = 1\ny = 2'), {
    c: [{ d: 1 }, { e: 2 }],
    x: [1, 2],
    y: 2,
  });
});

test('labelled blocks group by type, case-insensitively as HCL v1 does', (t) => {
  t.deepEqual(plain('a "x" {}\nb = 1\na "y" {}'), { a: [{ x: [{}] }, { y: [{}] }], b: 1 });
  t.deepEqual(plain('A "x" {}\na "y" {}'), { A: [{ x: [{}] }, { y: [{}] }], a: [{ x: [{}] }, { y: [{}] }] });
});

test('a repeated key converts to the type it was first given', (t) => {
  t.deepEqual(plain('x = "a"\nx = 1'), { x: '1' });
  t.deepEqual(plain('x = 1\nx = "0x10"'), { x: 16 });
  t.deepEqual(plain('x = true\nx = 0'), { x: false });
  t.deepEqual(plain('x = 1.5\nx = 010'), { x: 10 });
});

for (const [title, src] of [
  ['a block and a labelled block of the same type', 'a {}\na "b" {}'],
  ['an int then a string that is not a number', 'x = 1\nx = "a"'],
  ['an int then a float', 'x = 2\nx = 1.5'],
  ['a list then a string', 'x = [1]\nx = "a"'],
  ['a block then an attribute', 'a { b = 1 }\na = 2'],
] as const) {
  test(`decode error like HCL v1: ${title}`, (t) => {
    const error = t.throws(() => plain(src), { instanceOf: ConvergeError });
    t.is(error?.code, 'CNV_ERR_HCL_PARSE');
    t.regex(error?.message ?? '', /^x\.hcl:\d+:\d+: root\./);
  });
}
