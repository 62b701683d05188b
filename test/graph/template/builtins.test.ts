/** Go's predefined template functions: comparisons, len/index/slice, escapers, call. */
import test from 'ava';
import { BUILTIN_FUNC_NAMES } from '../../../src/graph/template/index.js';
import { describe, render, renderError } from './helpers.js';

const renders = test.macro({
  exec(t, source: string, dot: unknown, want: string) {
    t.is(render(source, dot), want);
  },
  title: (provided, source: string, dot: unknown) => provided ?? `renders ${JSON.stringify(source)} with ${describe(dot)}`,
});

const fails = test.macro({
  exec(t, source: string, dot: unknown, message: string) {
    const error = renderError(source, dot);
    t.is(error.code, 'CNV_ERR_TEMPLATE_EXEC');
    t.true(error.message.endsWith(message), error.message);
  },
  title: (provided, source: string, dot: unknown) => provided ?? `fails ${JSON.stringify(source)} with ${describe(dot)}`,
});

test('BUILTIN_FUNC_NAMES - lists the Go builtins', (t) => {
  for (const name of ['and', 'or', 'not', 'len', 'index', 'slice', 'call', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'print', 'printf', 'println', 'html', 'js', 'urlquery']) {
    t.true(BUILTIN_FUNC_NAMES.includes(name), name);
  }
});

test(renders, '{{eq 1 1}} {{eq 1 2}} {{eq "a" "b" "c" "a"}} {{eq true true}}', undefined, 'true false true true');
test(renders, '{{ne 1 2}} {{ne "a" "a"}}', undefined, 'true false');
test(renders, '{{eq .x "a"}} {{eq .a 1.5}}', { a: 1.5, x: null }, 'false true');
test(renders, '{{lt 1 2}} {{lt "a" "b"}} {{le 2 2}} {{gt 3 2}} {{ge 1 2}} {{lt 1.5 2}}', undefined, 'true true true true false true');
test(renders, '{{lt "Z" "a"}} {{lt "a" "ab"}}', undefined, 'true true');
test(fails, '{{eq 1 "1"}}', undefined, 'error calling eq: incompatible types for comparison');
test(fails, '{{eq 1}}', undefined, 'error calling eq: missing argument for comparison');
test(fails, '{{eq .}}', 1, 'error calling eq: missing argument for comparison');
test(fails, '{{eq . .}}', [1], 'error calling eq: non-comparable type []interface {}');
test(fails, '{{lt true false}}', undefined, 'error calling lt: invalid type for comparison');
test(fails, '{{lt 1 "a"}}', undefined, 'error calling lt: incompatible types for comparison');
test(fails, '{{eq}}', undefined, 'wrong number of args for eq: want at least 1 got 0');
test(fails, '{{lt 1}}', undefined, 'wrong number of args for lt: want 2 got 1');
test(fails, '{{not 1 2}}', undefined, 'wrong number of args for not: want 1 got 2');
test(fails, '{{and}}', undefined, 'wrong number of args for and: want at least 1 got 0');

test(renders, '{{len "héllo"}} {{len .l}} {{len .m}} {{len ""}}', { l: [1, 2], m: { a: 1 } }, '6 2 1 0');
test(fails, '{{len 3}}', undefined, 'error calling len: len of type int');
test(fails, '{{len .x}}', { x: null }, 'error calling len: len of nil pointer');

test(renders, '{{index . 1}} {{index . 0 1}}', [['a', 'b'], 'c'], 'c b');
test(renders, '{{index . "a"}} {{index . "a" 1}} {{index . "zz"}} {{index .}}', { a: [1, 2] }, '[1 2] 2 <no value> map[a:[1 2]]');
test(renders, '{{index "abc" 1}}', undefined, '98');
test(fails, '{{index . 5}}', [1], 'error calling index: index out of range: 5');
test(fails, '{{index . 1}}', [1], 'error calling index: index out of range: 1');
test(fails, '{{index . -1}}', [1], 'error calling index: index out of range: -1');
test(fails, '{{index . "x"}}', [1], 'error calling index: cannot index slice/array with type string');
test(fails, '{{index 3 1}}', undefined, "error calling index: can't index item of type int");
test(fails, '{{index nil 1}}', undefined, 'error calling index: index of untyped nil');

test(renders, '{{slice "hello" 1 3}} {{slice "hello" 2}} {{slice . 1}} {{slice . 0 1}} {{slice .}}', [1, 2, 3], 'el llo [2 3] [1] [1 2 3]');
test(fails, '{{slice "abc" 2 1}}', undefined, 'error calling slice: invalid slice index: 2 > 1');
test(fails, '{{slice "abc" 1 9}}', undefined, 'error calling slice: index out of range: 9');
test(fails, '{{slice "abc" 0 1 2}}', undefined, 'error calling slice: cannot 3-index slice a string');

test(renders, '{{not 0}} {{not "x"}} {{not .}}', [], 'true false true');

test(renders, `{{html "<a href='x'>&\\"</a>"}}`, undefined, '&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt;');
test(renders, '{{html "a" 1 2}}', undefined, 'a1 2');
test(renders, '{{html .missing}} {{js .n 1}} {{urlquery .n}}', { n: null }, '&lt;no value&gt; \\u003Cno value\\u003E1 %3Cno+value%3E');
test(renders, `{{js "<a href='x'>\\n\\\\"}}`, undefined, "\\u003Ca href\\u003D\\'x\\'\\u003E\\u000A\\\\");
test(renders, '{{js "é\\u2028"}}', undefined, 'é\\u2028');
test(renders, '{{urlquery "a b&c/d=é~"}}', undefined, 'a+b%26c%2Fd%3D%C3%A9~');

test(renders, '{{call .f 1 2}}', { f: (a: number, b: number) => a + b }, '3');
test(fails, '{{call .f}}', { f: 1 }, 'error calling call: non-function of type int');
