/**
 * Execution semantics, with expected outputs as Go's text/template produces them for the
 * corresponding Go values (maps for plain objects, pointers to structs for class instances).
 */
import test from 'ava';
import { compileTemplate } from '../../../src/graph/template/index.js';
import { describe, render, renderError } from './helpers.js';

class Point {
  X = 1;
  Y = 2;
  Add(n: number): number {
    return this.X + this.Y + n;
  }
}

const funcs = {
  id: (v: unknown) => v,
  pair: (a: unknown, b: unknown) => `${String(a)}+${String(b)}`,
  point: () => new Point(),
  boom: () => {
    throw new Error('boom');
  },
};

const renders = test.macro({
  exec(t, source: string, dot: unknown, want: string) {
    t.is(render(source, dot, funcs), want);
  },
  title: (provided, source: string, dot: unknown) => provided ?? `renders ${JSON.stringify(source)} with ${describe(dot)}`,
});

// Literals
test(renders, 'a{{"b\\t\\u00e9\\x41"}}c', undefined, 'ab\téAc');
test(renders, '{{`raw\\n{{x}}`}}', undefined, 'raw\\n{{x}}');
test(renders, "{{'a'}} {{'\\n'}}", undefined, '97 10');
test(renders, '{{0x1F}} {{0o17}} {{017}} {{0b101}} {{1_000}} {{-5}} {{+3}}', undefined, '31 15 15 5 1000 -5 3');
test(renders, '{{1.5}} {{.5}} {{1e-7}} {{-2.25}} {{0x1p-2}} {{0x1.8p1}}', undefined, '1.5 0.5 1e-07 -2.25 0.25 3');
test(renders, '{{true}} {{false}}', undefined, 'true false');
test(renders, '{{1e6}} {{3.0}} {{printf "%.2f|%T|%d" 3.0 1e3 2.0}} {{if 0.0}}t{{else}}f{{end}} {{eq 2.0 2}}', undefined, '1e+06 3 3.00|float64|%!d(float64=2) f true');

test('execute() - user functions receive float literals as plain numbers', (t) => {
  const seen: unknown[] = [];
  render('{{f 3.0 1.5 2}}{{call .g 4.0}}', { g: (v: unknown) => seen.push(v) }, { f: (...a: unknown[]) => seen.push(...a) });
  t.deepEqual(seen, [3, 1.5, 2, 4]);
});
test(renders, '"\\xc3\\xa9" is {{"\\xc3\\xa9"}}', undefined, '"\\xc3\\xa9" is é');
test(renders, 'no actions at all }} {', undefined, 'no actions at all }} {');

// Dot, fields and missing values
test(renders, '{{.}}', undefined, '<no value>');
test(renders, '{{.}}', null, '<no value>');
test(renders, '{{.x}} {{$.b}} {{$y := .A}}{{$y}}', null, '<no value> <no value> <no value>');
test(renders, '{{.A}} {{.A.B}}', {}, '<no value> <no value>');
test(renders, '{{.a.b}}', { a: { b: 'deep' } }, 'deep');
test(renders, '{{.x}}', { x: null }, '<no value>');
test(renders, '{{print .x}}', { x: null }, '<nil>');
test(renders, '{{.}}', { b: 2, a: [1, 'x'], c: { d: true } }, 'map[a:[1 x] b:2 c:map[d:true]]');
test(renders, '{{.X}} {{.Y}} {{.Add 3}} {{"4" | printf "%s"}}', new Point(), '1 2 6 4');
test(renders, '{{.}}', new Point(), '&{1 2}');
test(renders, '{{point.X}} {{(point).Y}} {{(id .).k}}', { k: 'v' }, '1 2 v');
test(renders, '{{$p := point}}{{$p.Add 1}} {{with point}}{{.Add 10}}{{end}}', undefined, '4 13');

// Pipelines and parentheses
test(renders, '{{"x" | printf "%s-%s" "a"}}', undefined, 'a-x');
test(renders, '{{. | len | printf "%03d"}}', [1, 2], '002');
test(renders, '{{pair (pair 1 2) 3}}', undefined, '1+2+3');
test(renders, '{{printf "%d" (len .)}}', 'abc', '3');
test(renders, '{{"b" | pair "a"}}', undefined, 'a+b');

// Variables
test(renders, '{{$x := 1}}{{$x = 2}}{{$x}}', undefined, '2');
test(renders, '{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}', undefined, '21');
test(renders, '{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}', undefined, '2');
test(renders, '{{range .L}}{{$.N}}{{.}}{{end}}', { L: [1, 2], N: 'n' }, 'n1n2');
test(renders, '{{$m := .}}{{$m.a}}', { a: 'A' }, 'A');
test(renders, '{{if $v := .a}}{{$v}}{{else}}none{{$v}}{{end}}', { a: 0 }, 'none0');

// if / else if / else, with Go truthiness
test(renders, '{{if eq 1 2}}a{{else if eq 2 2}}b{{else}}c{{end}}', undefined, 'b');
test(renders, '{{if .}}t{{else}}f{{end}}', 0, 'f');
test(renders, '{{if .}}t{{else}}f{{end}}', '', 'f');
test(renders, '{{if .}}t{{else}}f{{end}}', [], 'f');
test(renders, '{{if .}}t{{else}}f{{end}}', {}, 'f');
test(renders, '{{if .}}t{{else}}f{{end}}', null, 'f');
test(renders, '{{if .}}t{{else}}f{{end}}', '0', 't');
test(renders, '{{if .}}t{{else}}f{{end}}', [0], 't');
test(renders, '{{if .}}t{{else}}f{{end}}', { a: 0 }, 't');
test(renders, '{{if .}}t{{else}}f{{end}}', new Point(), 't');
test(renders, '{{if .}}t{{else}}f{{end}}', 0.5, 't');

// with / else with
test(renders, '{{with .a}}[{{.}}]{{else}}none{{end}}', { a: 'x' }, '[x]');
test(renders, '{{with .a}}[{{.}}]{{else}}none{{end}}', { a: '' }, 'none');
test(renders, '{{with .x}}x{{else with .y}}y={{.}}{{else}}neither{{end}}', { y: 5 }, 'y=5');

// range
test(renders, '{{range .}}<{{.}}>{{end}}', ['a', 'b'], '<a><b>');
test(renders, '{{range $i, $e := .}}{{$i}}={{$e}};{{end}}', ['a', 'b'], '0=a;1=b;');
test(renders, '{{range $e := .}}{{$e}}{{end}}', ['a', 'b'], 'ab');
test(renders, '{{range $k, $v := .}}{{$k}}{{$v}}{{end}}', { b: 2, c: 3, a: 1 }, 'a1b2c3');
test(renders, '{{range $v := .}}{{$v}}{{end}}', { b: 2, c: 3, a: 1 }, '123');
test(renders, '{{range .}}{{.}}{{end}}', { B: 1, a: 2, Z: 3 }, '132');
test(renders, '{{range .}}x{{else}}empty{{end}}', [], 'empty');
test(renders, '{{range .}}x{{else}}empty{{end}}', null, 'empty');
test(renders, '{{range .}}x{{else}}empty{{end}}', {}, 'empty');
test(renders, '{{range 3}}{{.}}{{end}}', undefined, '012');
test(renders, '{{range .}}{{if eq . 2}}{{continue}}{{end}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}', [1, 2, 3, 4, 5], '13');
test(renders, '{{range .}}{{range .}}{{if eq . 2}}{{break}}{{end}}{{.}}{{end}};{{end}}', [[1, 2, 3], [4]], '1;4;');
test(renders, '{{$i := 0}}{{range .}}{{$i = .}}{{end}}{{$i}}', [7, 8, 9], '9');
test(renders, '{{range .}}[{{range .}}{{.}}{{else}}empty{{break}}{{end}}]{{end}}after', [[1], [], [2]], '[1][empty][2]after');
test(renders, '{{range .}}[{{range .}}{{.}}{{else}}empty{{continue}}{{end}}]{{end}}after', [[1], [], [2]], '[1][empty[2]after');
test(renders, '{{range $i, $v := .}}{{$x := $i}}{{$x}}{{end}}', ['a', 'b'], '01');

// and / or / not return the deciding value and short-circuit
test(renders, '{{and 1 "x"}} {{and 1 0 2}} {{or 0 "" "x"}} {{or "" 0}} {{not 0}}', undefined, 'x 0 x 0 true');
test(renders, '{{or 1 boom}} {{and 0 boom}}', undefined, '1 0');
test(renders, '{{1 | and 2}} {{0 | or ""}}', undefined, '1 0');

// Whitespace trimming and comments
test(renders, 'a  {{- 1 -}}  b', undefined, 'a1b');
test(renders, 'a {{-3}}', undefined, 'a -3');
test(renders, 'a\n\t{{- "x" }}\n b', undefined, 'ax\n b');
test(renders, 'a{{/* a comment */}}b', undefined, 'ab');
test(renders, 'a \n{{- /* a\ncomment */ -}}\n b', undefined, 'ab');
test(renders, '{{- range . -}}\n{{.}}\n{{end -}}\n', [1, 2, 3], '1\n2\n3\n');
test(renders, '{{ .a }}{{\n.b\n}}', { a: 1, b: 2 }, '12');

test('execute() - the same compiled template runs many times with different dots', (t) => {
  const template = compileTemplate('<{{.a}}>', { funcNames: [] });
  const outputs = [{ a: 1 }, { a: 'two' }, {}].map((d) => template.execute(d, {}));
  t.deepEqual(outputs, ['<1>', '<two>', '<<no value>>']);
});

test('execute() - a function receives nil (null) for a missing value', (t) => {
  const seen: unknown[] = [];
  render('{{f .missing}}', {}, { f: (v: unknown) => seen.push(v) });
  t.deepEqual(seen, [null]);
});

test('execute() - a function that returns a function cannot be printed', (t) => {
  const error = renderError('{{f}}', undefined, { f: () => () => 1 });
  t.is(error.code, 'CNV_ERR_TEMPLATE_EXEC');
  t.regex(error.message, /can't print f of type func/);
});

class Greeter {
  Hello(name: unknown): string {
    return `hello ${String(name)}`;
  }
}

class LoudGreeter extends Greeter {
  get Volume(): number {
    return 11;
  }
}

test('execute() - inherited methods and getters count as struct members', (t) => {
  t.is(render('{{.Hello "a"}} {{.Volume}} {{"b" | .Hello}}', new LoudGreeter()), 'hello a 11 hello b');
});
