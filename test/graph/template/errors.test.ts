/** Parse and execution errors: codes, Go's problem texts, and positions inside the module file. */
import test from 'ava';
import { ConvergeError } from '../../../src/errors.js';
import { compileTemplate } from '../../../src/graph/template/index.js';
import { renderError } from './helpers.js';

const AT = { file: 'mod.hcl', line: 10, column: 20 };

const parseFails = test.macro({
  exec(t, source: string, want: string) {
    const error = renderError(source, undefined, {}, AT);
    t.true(error instanceof ConvergeError);
    t.is(error.code, 'CNV_ERR_TEMPLATE_PARSE');
    t.is(error.message, want);
  },
  title: (provided, source: string) => provided ?? `parse error for ${JSON.stringify(source)}`,
});

test(parseFails, '{{.A', 'mod.hcl:10:20: template: unclosed action');
test(parseFails, 'ab\n{{if .}}x', 'mod.hcl:11:10: template: unexpected EOF');
test(parseFails, '{{end}}', 'mod.hcl:10:22: template: unexpected {{end}}');
test(parseFails, '{{else}}', 'mod.hcl:10:22: template: unexpected {{else}}');
test(parseFails, '{{if .}}{{else}}{{else}}{{end}}', 'mod.hcl:10:38: template: expected end; found {{else}}');
test(parseFails, '{{nofunc 1}}', 'mod.hcl:10:22: template: function "nofunc" not defined');
test(parseFails, '{{$x}}', 'mod.hcl:10:22: template: undefined variable "$x"');
test(parseFails, '{{if true}}{{$x := 1}}{{end}}{{$x}}', 'mod.hcl:10:51: template: undefined variable "$x"');
test(parseFails, '{{$x = 1}}', 'mod.hcl:10:22: template: undefined variable "$x"');
test(parseFails, '{{range .}}{{end}}{{break}}', 'mod.hcl:10:40: template: {{break}} outside {{range}}');
test(parseFails, '{{continue}}', 'mod.hcl:10:22: template: {{continue}} outside {{range}}');
test(parseFails, '{{"abc}}', 'mod.hcl:10:22: template: unterminated quoted string');
test(parseFails, '{{`abc}}', 'mod.hcl:10:22: template: unterminated raw quoted string');
test(parseFails, '{{1 | 2}}', 'mod.hcl:10:26: template: non executable command in pipeline stage 2');
test(parseFails, '{{(1}}', 'mod.hcl:10:24: template: unclosed left paren');
test(parseFails, '{{1)}}', 'mod.hcl:10:23: template: unexpected right paren');
test(parseFails, '{{/* x }}', 'mod.hcl:10:22: template: unclosed comment');
test(parseFails, '{{/* x */ y}}', 'mod.hcl:10:29: template: comment ends before closing delimiter');
test(parseFails, '{{3x}}', 'mod.hcl:10:22: template: bad number syntax: "3x"');
test(parseFails, '{{"\\q"}}', 'mod.hcl:10:22: template: invalid syntax');
test(parseFails, '{{$x := }}', 'mod.hcl:10:22: template: missing value for command');
test(parseFails, '{{if}}', 'mod.hcl:10:24: template: missing value for if');
test(parseFails, '{{$a, $b := 1}}', 'mod.hcl:10:24: template: too many declarations in command');
test(parseFails, '{{range $a, $b, $c := .}}{{end}}', 'mod.hcl:10:34: template: too many declarations in range');
test(parseFails, '{{.A 1 "x" = }}', 'mod.hcl:10:31: template: unexpected "=" in operand');
test(parseFails, '{{1.x}}', 'mod.hcl:10:22: template: bad number syntax: "1.x"');
test(parseFails, '{{.A-}}', "mod.hcl:10:24: template: bad character U+002D '-'");
test(parseFails, '{{"a".b}}', 'mod.hcl:10:22: template: unexpected . after term "\\"a\\""');
test(parseFails, '{{define "x"}}{{end}}', 'mod.hcl:10:22: template: {{define}} is not supported');
test(parseFails, 'line one\n  two {{ bad }}', 'mod.hcl:11:10: template: function "bad" not defined');

test('compileTemplate() - defaults to <template>:1:1 and puts the position in details', (t) => {
  const error = t.throws(() => compileTemplate('{{bad}}', { funcNames: [] }), { instanceOf: ConvergeError });
  t.is(error.message, '<template>:1:3: template: function "bad" not defined');
  t.deepEqual(error.details, { file: '<template>', line: 1, column: 3 });
});

test('compileTemplate() - a function named in funcNames parses', (t) => {
  t.notThrows(() => compileTemplate('{{param "x"}}', { funcNames: ['param'] }));
});

const execFails = test.macro({
  exec(t, source: string, dot: unknown, want: string) {
    const error = renderError(source, dot, {}, AT);
    t.is(error.code, 'CNV_ERR_TEMPLATE_EXEC');
    t.is(error.message, want);
  },
  title: (provided, source: string) => provided ?? `execution error for ${JSON.stringify(source)}`,
});

class Point {
  X = 1;
}

test(execFails, '{{.A.B}}', { A: 's' }, "mod.hcl:10:22: template: executing at <.A.B>: can't evaluate field B in type string");
test(execFails, 'x\n {{.A.B}}', { A: null }, 'mod.hcl:11:4: template: executing at <.A.B>: nil pointer evaluating interface {}.B');
test(execFails, '{{.Z}}', new Point(), "mod.hcl:10:22: template: executing at <.Z>: can't evaluate field Z in type *Point");
test(execFails, '{{.toString}}', new Point(), "mod.hcl:10:22: template: executing at <.toString>: can't evaluate field toString in type *Point");
test(execFails, '{{.constructor}}', new Point(), "mod.hcl:10:22: template: executing at <.constructor>: can't evaluate field constructor in type *Point");
test(execFails, '{{.X 1}}', new Point(), 'mod.hcl:10:22: template: executing at <.X>: X has arguments but cannot be invoked as function');
test(execFails, '{{.a 1}}', { a: 1 }, 'mod.hcl:10:22: template: executing at <.a>: a is not a method but has arguments');
test(execFails, '{{nil}}', undefined, 'mod.hcl:10:22: template: executing at <nil>: nil is not a command');
test(execFails, '{{1 2}}', undefined, "mod.hcl:10:22: template: executing at <1 2>: can't give argument to non-function 1");
test(execFails, '{{$x := 1}}{{$x 2}}', undefined, "mod.hcl:10:33: template: executing at <$x>: can't give argument to non-function $x");
test(execFails, '{{range "abc"}}{{end}}', undefined, "mod.hcl:10:22: template: executing at <\"abc\">: range can't iterate over abc");
test(execFails, '{{range $i, $v := 3}}{{end}}', undefined, "mod.hcl:10:22: template: executing at <3>: can't use 3 to iterate over more than one variable");
test(execFails, '{{printf 1}}', undefined, 'mod.hcl:10:22: template: executing at <printf>: error calling printf: wrong type for value; expected string; got int');

test('execute() - a function that throws fails with error calling <fn> and keeps the error as cause', (t) => {
  class Unresolvable extends Error {}
  const thrown = new Unresolvable('no status for node');
  const template = compileTemplate('ok {{lookup "task.a.status" | printf "%s"}}', { funcNames: ['lookup'], ...AT });
  const error = t.throws(
    () =>
      template.execute(undefined, {
        lookup: () => {
          throw thrown;
        },
      }),
    { instanceOf: ConvergeError },
  );
  t.is(error.code, 'CNV_ERR_TEMPLATE_EXEC');
  t.is(error.message, 'mod.hcl:10:25: template: executing at <lookup>: error calling lookup: no status for node');
  t.is(error.cause, thrown);
  t.true(error.cause instanceof Unresolvable);
});

test('execute() - a thrown non-Error value becomes the message and the cause', (t) => {
  const template = compileTemplate('{{f}}', { funcNames: ['f'] });
  const error = t.throws(() =>
    template.execute(undefined, {
      f: () => {
        throw 'plain string';
      },
    }),
  );
  t.is(error.message, '<template>:1:3: template: executing at <f>: error calling f: plain string');
  t.is(error.cause, 'plain string');
});

test('execute() - a function named at parse time but missing from the map fails clearly', (t) => {
  const template = compileTemplate('{{param "x"}}', { funcNames: ['param'] });
  const error = t.throws(() => template.execute(undefined, {}), { instanceOf: ConvergeError });
  t.is(error.message, '<template>:1:3: template: executing at <param>: "param" is not a defined function');
});

test('execute() - the FuncMap can override a builtin', (t) => {
  const template = compileTemplate('{{len "abc"}}', { funcNames: ['len'] });
  t.is(template.execute(undefined, { len: () => 'mine' }), 'mine');
  t.is(template.execute(undefined, {}), '3');
});
