/** Static call discovery, which the engine uses to find param and lookup dependencies. */
import test from 'ava';
import { compileTemplate } from '../../../src/graph/template/index.js';

const NAMES = ['param', 'paramList', 'paramMap', 'lookup', 'split', 'join', 'platform', 'jsonify'];
const callsOf = (source: string) => compileTemplate(source, { funcNames: NAMES }).calls();

test('calls() - a plain string has none', (t) => {
  t.deepEqual(callsOf('no templates here'), []);
});

test('calls() - a direct call with a literal argument', (t) => {
  t.deepEqual(callsOf('{{param "x"}} and {{param `y`}}'), [
    { name: 'param', args: ['x'] },
    { name: 'param', args: ['y'] },
  ]);
});

test('calls() - piped calls get the piped value as their last argument when it is a literal', (t) => {
  t.deepEqual(callsOf('{{param "x" | split ","}}'), [
    { name: 'param', args: ['x'] },
    { name: 'split', args: [',', null] },
  ]);
  t.deepEqual(callsOf('{{"y" | param}}'), [{ name: 'param', args: ['y'] }]);
});

test('calls() - nested calls in parentheses, control structures and else branches', (t) => {
  t.deepEqual(
    callsOf('{{if eq (param "a") "b"}}{{lookup "task.x.status"}}{{else}}{{range paramList "l"}}{{.}}{{end}}{{end}}'),
    [
      { name: 'eq', args: [null, 'b'] },
      { name: 'param', args: ['a'] },
      { name: 'lookup', args: ['task.x.status'] },
      { name: 'paramList', args: ['l'] },
    ],
  );
  t.deepEqual(callsOf('{{range $k, $v := paramMap "m"}}{{$k}}{{end}}{{with param "w"}}{{.}}{{end}}'), [
    { name: 'paramMap', args: ['m'] },
    { name: 'param', args: ['w'] },
  ]);
});

test('calls() - function results used as terms, chains and arguments', (t) => {
  t.deepEqual(callsOf('{{platform.OS}} {{join "," platform.LinuxLSBLike}} {{(param "p").x}}'), [
    { name: 'platform', args: [] },
    { name: 'join', args: [',', null] },
    { name: 'platform', args: [] },
    { name: 'param', args: ['p'] },
  ]);
});

test('calls() - non-literal arguments are null', (t) => {
  t.deepEqual(callsOf('{{param .X}} {{lookup (printf "task.%s.status" "a")}}'), [
    { name: 'param', args: [null] },
    { name: 'lookup', args: [null] },
    { name: 'printf', args: ['task.%s.status', 'a'] },
  ]);
});

test('calls() - returns the same frozen list each time', (t) => {
  const template = compileTemplate('{{param "x"}}', { funcNames: NAMES });
  t.is(template.calls(), template.calls());
  t.true(Object.isFrozen(template.calls()));
});
