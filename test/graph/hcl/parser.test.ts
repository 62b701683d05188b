import test from 'ava';
import { ConvergeError } from '../../../src/errors.js';
import { parseHcl, toPlain, type HclValue } from '../../../src/graph/hcl/index.js';

function plain(src: string): unknown {
  return toPlain(parseHcl(src, 'x.hcl'));
}

function value(src: string): HclValue {
  const item = parseHcl(src, 'x.hcl').items[0];
  if (!item) throw new Error('no item');
  return item.value;
}

function parseError(src: string): ConvergeError {
  try {
    parseHcl(src, 'm.hcl');
  } catch (error) {
    if (error instanceof ConvergeError) return error;
    throw error;
  }
  throw new Error(`expected a parse error for ${JSON.stringify(src)}`);
}

test('comments of all three kinds are skipped and collected', (t) => {
  const file = parseHcl('# one\na = 1 // two\n/* three\n four */ b = 2\n', 'x.hcl');
  t.deepEqual(toPlain(file), { a: 1, b: 2 });
  t.deepEqual(
    file.comments?.map((c) => [c.text, c.pos.line, c.pos.column, c.endLine]),
    [
      ['# one', 1, 1, 1],
      ['// two', 2, 7, 2],
      ['/* three\n four */', 3, 1, 4],
    ],
  );
});

test('lead and line comments attach to items as HCL v1 attaches them; others dangle', (t) => {
  const file = parseHcl('# free\n\n# lead\na = 1 # line\nb {\n  c = 2\n  // inner free\n}\n', 'x.hcl');
  t.like(file.items[0], { leadComment: '# lead', lineComment: '# line' });
  t.is(file.items[1]?.leadComment, undefined);
  t.deepEqual(file.danglingComments?.map((c) => [c.text, c.pos.line]), [
    ['# free', 1],
    ['// inner free', 7],
  ]);
});

test('string escapes decode like HCL v1', (t) => {
  t.is((value('a = "x\\ty\\n\\r\\"\\\\"') as { value: string }).value, 'x\ty\n\r"\\');
  t.is((value('a = "\\u00e9\\U0001F600"') as { value: string }).value, 'é😀');
  t.is((value('a = "\\x41\\101"') as { value: string }).value, 'AA');
  t.is((value('a = "\\xc3\\xa9"') as { value: string }).value, 'é');
  t.is((value('a = "\\xff"') as { value: string }).value, '\ufffd');
  t.is((value('a = "\\a\\b\\f\\v"') as { value: string }).value, '\x07\b\f\v');
});

test('interpolations are kept verbatim, with quotes, braces, escapes and newlines', (t) => {
  t.is((value('a = "${foo("bar")}"') as { value: string }).value, '${foo("bar")}');
  t.is((value('a = "x${ {a} }y"') as { value: string }).value, 'x${ {a} }y');
  t.is((value('a = "${a\\"b}"') as { value: string }).value, '${a\\"b}');
  t.is((value('a = "${\na\n}"') as { value: string }).value, '${\na\n}');
  t.is((value('a = "$${x}\\n"') as { value: string }).value, '$${x}\n');
});

test('heredocs: plain, indented (<<-) and in lists', (t) => {
  t.deepEqual(plain('q = <<EOF\nhello\n  world\nEOF\n'), { q: 'hello\n  world\n' });
  t.deepEqual(plain('q = <<-EOF\n    hello\n      x\n    EOF\n'), { q: 'hello\n  x\n' });
  t.deepEqual(plain('q = <<-EOF\n    hello\n  x\n    EOF\n'), { q: '    hello\n  x\n' });
  t.deepEqual(plain('q = <<EOF\nEOF\n'), { q: '' });
  t.deepEqual(plain('q = [<<EOF\nx\nEOF\n, 1]'), { q: ['x\n', 1] });
  const v = value('q = <<EOF\nhi\nEOF\n');
  t.true(v.type === 'string' && v.heredoc === true && v.raw === '<<EOF\nhi\nEOF\n');
});

test('CRLF line endings are normalised, also inside heredocs', (t) => {
  t.deepEqual(plain('a = <<EOF\r\nx\r\nEOF\r\nb = 1\r\n'), { a: 'x\n', b: 1 });
});

test('numbers: ints, floats, exponents, negatives, octal and hex', (t) => {
  t.deepEqual(plain('a = 10\nb = 1.5\nc = 1e3\nd = -3\ne = 0755\nf = 0x1F\ng = -0x10\nh = 1.5e-2\ni = .5\nj = 1.\nk = 0'), {
    a: 10, b: 1.5, c: 1000, d: -3, e: 493, f: 31, g: -16, h: 0.015, i: 0.5, j: 1, k: 0,
  });
  const v = value('a = 0755');
  t.true(v.type === 'number' && v.raw === '0755' && v.value === 493 && !v.float);
  const f = value('a = 2.0');
  t.true(f.type === 'number' && f.float === true);
  // 64-bit ints, as the original (a 64-bit build) read them.
  t.deepEqual(plain('a = 4294967296'), { a: 4294967296 });
});

test('bools, lists with trailing commas, nested lists and objects', (t) => {
  t.deepEqual(plain('a = true\nb = false\nc = [1, "x", true,]\nd = [[1, 2], [3]]\ne = [{f = 1}, {g = 2}]\nh = []'), {
    a: true, b: false, c: [1, 'x', true], d: [[1, 2], [3]], e: [{ f: 1 }, { g: 2 }], h: [],
  });
});

test('objects, blocks, repeated blocks and labels keep declaration order in the tree', (t) => {
  const file = parseHcl(
    'file.content "b" { destination = "y" }\nfile.content "a" { destination = "x" }\ntask.query "q" "r" "s" {}\nx = { i = 1, j = 2 }\n',
    'x.hcl',
  );
  t.deepEqual(
    file.items.map((i) => i.keys.map((k) => k.name)),
    [['file.content', 'b'], ['file.content', 'a'], ['task.query', 'q', 'r', 's'], ['x']],
  );
  t.deepEqual(file.items.map((i) => i.assign), [false, false, false, true]);
  t.deepEqual(toPlain(file), {
    'file.content': [{ b: [{ destination: 'y' }] }, { a: [{ destination: 'x' }] }],
    'task.query': [{ q: [{ r: [{ s: [{}] }] }] }],
    x: [{ i: 1, j: 2 }],
  });
});

test('single-line nested blocks and commas between items', (t) => {
  t.deepEqual(plain('switch "s" { default { file.content "y" { a = "b" } } }'), {
    switch: [{ s: [{ default: [{ 'file.content': [{ y: [{ a: 'b' }] }] }] }] }],
  });
  t.deepEqual(plain('a = 1, b = 2\nc { d = 1, e = 2, }'), { a: 1, b: 2, c: [{ d: 1, e: 2 }] });
});

test('quoted keys and identifier characters', (t) => {
  t.deepEqual(plain('"quoted key" = 1\na.b-c_d = 2\n_x = 3\né = 4'), { 'quoted key': 1, 'a.b-c_d': 2, _x: 3, é: 4 });
  const key = parseHcl('"k\\tq" = 1', 'x.hcl').items[0]?.keys[0];
  t.deepEqual(key && { name: key.name, quoted: key.quoted }, { name: 'k\tq', quoted: true });
});

test('positions are 1-based lines and character columns', (t) => {
  const file = parseHcl('a = 1\n  b "x" {\n    c = "😀😀" d = true\n  }\n', 'x.hcl');
  const b = file.items[1];
  t.deepEqual(b && [b.pos.line, b.pos.column, b.keys[1]?.pos.column], [2, 3, 5]);
  const inner = b?.value.type === 'object' ? b.value.items : [];
  t.deepEqual(inner.map((i) => [i.pos.line, i.pos.column, i.value.pos.column]), [
    [3, 5, 9],
    [3, 14, 18],
  ]);
});

const errorCases: [string, string, number, number, RegExp][] = [
  ['unterminated object', 'a {\n  b = 1\n', 3, 1, /expected "}" to close the object opened at line 1, column 3 but found end of file/],
  ['missing value', 'a = \nb = 1', 2, 1, /expected a value .* after "a =" but found identifier b/],
  ['key without = or {', 'a b\n', 2, 1, /expected "=" or "\{" after key a b but found end of file/],
  ['labels before =', 'a "b" = 1', 1, 7, /expected "\{" after block labels "a b" but found "="/],
  ['no key before =', '= 1', 1, 1, /expected a key \(identifier or string\) before "="/],
  ['no key before {', '{}', 1, 1, /before "\{"/],
  ['bool as key', 'true = 1', 1, 1, /expected a key \(identifier or string\) but found bool true/],
  ['list without commas', 'a = [1 2]', 1, 8, /expected "," or "]" in the list opened at line 1, column 5 but found number 2/],
  ['unterminated list', 'a = [1,', 1, 8, /but found end of file/],
  ['identifier as value', 'a = b', 1, 5, /expected a value .* but found identifier b/],
  ['unterminated string', 'a = "abc\nb = 1', 1, 9, /string literal not terminated/],
  ['string at end of file', 'a = "abc', 1, 5, /found end of file/],
  ['bad escape', 'a = "x\\qy"', 1, 7, /illegal escape sequence "\\q"/],
  ['short unicode escape', 'a = "\\u12"', 1, 6, /expected 4 hex digits/],
  ['escape above U+10FFFF', 'a = "ab\\U00110000"', 1, 8, /not a valid code point/],
  ['octal escape above 255', 'a = "\\400"', 1, 6, /above 255/],
  ['bad octal number', 'a = 0789', 1, 5, /illegal octal number 0789/],
  ['bad octal number 08', 'a = 08', 1, 5, /illegal octal number 08/],
  ['bad hex number', 'a = 0x', 1, 7, /hexadecimal/],
  ['bad exponent', 'a = 1e', 1, 5, /invalid number 1e/],
  ['integer out of range', 'a = 9223372036854775808', 1, 5, /out of range/],
  ['unterminated block comment', 'a = 1 /* x', 1, 7, /comment not terminated/],
  ['single slash', 'a = 1 / 2', 1, 7, /expected "\/" for a comment/],
  ['illegal character', 'a @ = 1', 1, 3, /illegal character "@"/],
  ['heredoc without close', 'a = <<EOF\nx\n', 3, 1, /heredoc not terminated/],
  ['heredoc anchor junk', 'a = <<EOF x\n', 1, 10, /invalid characters after heredoc anchor/],
  ['empty heredoc anchor', 'a = <<\nx\n', 1, 5, /anchor is empty/],
  ['closing } without object', '}', 1, 1, /found "\}"/],
  ['column counts characters', 'a = "😀" b', 1, 10, /after key b but found end of file/],
];

for (const [title, src, line, column, message] of errorCases) {
  test(`error: ${title}`, (t) => {
    const error = parseError(src);
    t.is(error.code, 'CNV_ERR_HCL_PARSE');
    t.like(error.details, { file: 'm.hcl', line, column });
    t.true(error.message.startsWith(`m.hcl:${line}:${column}: `), error.message);
    t.regex(error.message, message);
  });
}

test('errors where HCL v1 silently accepts broken input are flagged', (t) => {
  t.like(parseError('a = 1\nb =').details, { hcl1Quirk: 'trailing-assign-at-eof' });
  t.like(parseError('x { a = } }').details, { hcl1Quirk: 'swallowed-before-rbrace' });
  t.is(parseError('x = {').details?.['hcl1Quirk'], undefined);
});

test('an empty file or one with only comments is an empty object', (t) => {
  t.deepEqual(plain(''), {});
  t.deepEqual(plain('# nothing\n/* here */\n'), {});
});
