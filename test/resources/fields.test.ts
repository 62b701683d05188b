import test from 'ava';
import { ConvergeError } from '../../src/errors.js';
import { decodeFields } from '../../src/resources/fields.js';
import type { FieldSpec, RawField, Renderer } from '../../src/resources/types.js';
import { identity, raw } from './helpers.js';

const pos = { file: 'm.hcl', line: 4, column: 3 };
const where = { id: 'root/x.y', pos: { file: 'm.hcl', line: 1, column: 1 } };

function decode(fields: FieldSpec[], values: Record<string, RawField>, render: Renderer = identity, mutuallyExclusive?: string[][]) {
  return decodeFields(mutuallyExclusive === undefined ? { fields } : { fields, mutuallyExclusive }, values, render, where);
}

function failure(t: import('ava').ExecutionContext, fn: () => unknown): ConvergeError {
  const error = t.throws(fn, { instanceOf: ConvergeError });
  if (error === undefined) throw new Error('expected an error');
  return error as ConvergeError;
}

const destination: FieldSpec = { name: 'destination', type: 'string', doc: 'd', required: true, nonempty: true };
const content: FieldSpec = { name: 'content', type: 'string', doc: 'c' };

test('an unknown field is named with its position and the closest suggestion', (t) => {
  const error = failure(t, () => decode([destination, content], { destinaton: { value: 'x', pos } }));
  t.is(error.code, 'CNV_ERR_FIELD_UNKNOWN');
  t.is(error.message, 'm.hcl:4:3: I don\'t have a field named "destinaton". Maybe you meant: destination');
  t.like(error.details, { id: 'root/x.y', field: 'destinaton', line: 4 });
});

test('an unknown field with nothing close gets no suggestion line', (t) => {
  const error = failure(t, () => decode([content], raw({ zzzzzzzzzzzzzzzz: 1 })));
  t.is(error.message, 'm.hcl:1:1: I don\'t have a field named "zzzzzzzzzzzzzzzz".');
});

test('depends and group are accepted on every resource and not decoded', (t) => {
  const out = decode([content], raw({ content: 'a', depends: ['task.x'], group: 'g' }));
  t.deepEqual(out, { content: 'a' });
});

test('required, then nonempty, with the original texts', (t) => {
  const missing = failure(t, () => decode([destination], {}));
  t.is(missing.code, 'CNV_ERR_FIELD_REQUIRED');
  t.is(missing.message, 'm.hcl:1:1: "destination" is required');
  const empty = failure(t, () => decode([destination], { destination: { value: '', pos } }));
  t.is(empty.message, 'm.hcl:4:3: "destination" must be nonempty');
});

test('errors without any position carry no prefix', (t) => {
  const error = t.throws(() => decodeFields({ fields: [destination] }, {}, identity, { id: 'root/a' }));
  t.is(error?.message, '"destination" is required');
});

test('mutual exclusion is enforced whichever field comes first', (t) => {
  const fields: FieldSpec[] = [
    { name: 'user', type: 'string', doc: 'u' },
    { name: 'uid', type: 'int', doc: 'i' },
  ];
  const error = failure(t, () => decode(fields, raw({ user: 'root', uid: 0 }), identity, [['user', 'uid']]));
  t.is(error.code, 'CNV_ERR_FIELD_CONFLICT');
  t.is(error.message, 'm.hcl:1:1: only one of "user" or "uid" can be set');
  t.deepEqual(decode(fields, raw({ uid: 5 }), identity, [['user', 'uid']]), { user: undefined, uid: 5 });
  const three = failure(t, () =>
    decode([...fields, { name: 'x', type: 'string', doc: 'x' }], raw({ x: 'a', uid: 1 }), identity, [['user', 'uid', 'x']]),
  );
  t.is(three.message, 'm.hcl:1:1: only one of "user", "uid", or "x" can be set');
});

test('valid values use the original text; defaults fill absent fields', (t) => {
  const state: FieldSpec = { name: 'state', type: 'string', doc: 's', validValues: ['present', 'absent'], default: 'present' };
  t.deepEqual(decode([state], {}), { state: 'present' });
  t.deepEqual(decode([state], raw({ state: 'absent' })), { state: 'absent' });
  const error = failure(t, () => decode([state], { state: { value: 'gone', pos } }));
  t.is(error.code, 'CNV_ERR_FIELD_INVALID');
  t.is(error.message, 'm.hcl:4:3: value did not pass validation. Must be one of "present,absent", was "gone"');
});

test('bools: real bools, t/true in any case, anything else false', (t) => {
  const spec: FieldSpec[] = [{ name: 'b', type: 'bool', doc: 'b' }];
  for (const [input, expected] of [[true, true], [false, false], ['T', true], ['tRuE', true], ['yes', false], ['1', false]] as const) {
    t.is(decode(spec, raw({ b: input }))['b'], expected, String(input));
  }
  t.is(failure(t, () => decode(spec, raw({ b: 1 }))).code, 'CNV_ERR_FIELD_INVALID');
});

test('ints from numbers and base-10 strings; octal from strings base 8 and numbers as is', (t) => {
  const spec: FieldSpec[] = [
    { name: 'n', type: 'int', doc: 'n' },
    { name: 'mode', type: 'octal', doc: 'm' },
  ];
  t.deepEqual(decode(spec, raw({ n: '0755', mode: '0755' })), { n: 755, mode: 0o755 });
  t.deepEqual(decode(spec, raw({ n: 42, mode: 0o644 })), { n: 42, mode: 0o644 });
  t.is(failure(t, () => decode(spec, raw({ mode: '0789' }))).code, 'CNV_ERR_FIELD_INVALID');
  t.is(failure(t, () => decode(spec, raw({ n: '4x' }))).code, 'CNV_ERR_FIELD_INVALID');
  t.is(failure(t, () => decode(spec, raw({ n: 1.5 }))).code, 'CNV_ERR_FIELD_INVALID');
});

test('durations: numbers are seconds, strings are Go durations, decoded to milliseconds', (t) => {
  const spec: FieldSpec[] = [{ name: 'timeout', type: 'duration', doc: 't' }];
  t.is(decode(spec, raw({ timeout: 2 }))['timeout'], 2000);
  t.is(decode(spec, raw({ timeout: '1m30s' }))['timeout'], 90_000);
  t.is(decode(spec, raw({ timeout: '250ms' }))['timeout'], 250);
  const error = failure(t, () => decode(spec, raw({ timeout: '60' })));
  t.is(error.message, 'm.hcl:1:1: could not convert 60 to duration: time: missing unit in duration "60"');
});

test('times accept RFC3339, a zone-less date-time (as UTC) and a date', (t) => {
  const spec: FieldSpec[] = [{ name: 'at', type: 'time', doc: 'a' }];
  const at = (value: string) => (decode(spec, raw({ at: value }))['at'] as Date).toISOString();
  t.is(at('2020-01-02T03:04:05+01:00'), '2020-01-02T02:04:05.000Z');
  t.is(at('2020-01-02T03:04:05'), '2020-01-02T03:04:05.000Z');
  t.is(at('2020-01-02'), '2020-01-02T00:00:00.000Z');
  t.is(failure(t, () => decode(spec, raw({ at: 'tomorrow' }))).code, 'CNV_ERR_FIELD_INVALID');
});

test('every string is rendered, inside lists and maps too, keys included, with field paths', (t) => {
  const seen: string[] = [];
  const render: Renderer = (template, field) => {
    seen.push(field);
    return template.replaceAll('{{x}}', 'X');
  };
  const spec: FieldSpec[] = [
    { name: 'flags', type: 'stringList', doc: 'f' },
    { name: 'env', type: 'stringMap', doc: 'e' },
    { name: 'params', type: 'any', doc: 'p' },
  ];
  const out = decode(
    spec,
    raw({ flags: ['-{{x}}'], env: [{ '{{x}}_KEY': 'v{{x}}' }, { B: 'b' }], params: { list: ['{{x}}', 1], n: 2 } }),
    render,
  );
  t.deepEqual(out, {
    flags: ['-X'],
    env: { X_KEY: 'vX', B: 'b' },
    params: { list: ['X', 1], n: 2 },
  });
  t.true(seen.includes('flags.0'));
  t.true(seen.includes('env.{{x}}_KEY'));
  t.true(seen.includes('params.list.0'));
});

test('renderer errors propagate unchanged', (t) => {
  const boom = new Error('template: bad');
  const error = t.throws(() => decode([content], raw({ content: '{{' }), () => { throw boom; }));
  t.is(error, boom);
});

test('object lists decode each block with the nested specs', (t) => {
  const spec: FieldSpec[] = [
    {
      name: 'ipam_config',
      type: 'objectList',
      doc: 'i',
      fields: [
        { name: 'subnet', type: 'string', doc: 's', required: true },
        { name: 'gateway', type: 'string', doc: 'g' },
      ],
    },
  ];
  t.deepEqual(decode(spec, raw({ ipam_config: [{ subnet: '10.0.0.0/8' }, { subnet: 'b', gateway: 'c' }] })), {
    ipam_config: [
      { subnet: '10.0.0.0/8', gateway: undefined },
      { subnet: 'b', gateway: 'c' },
    ],
  });
  t.is(failure(t, () => decode(spec, raw({ ipam_config: [{ gateway: 'x' }] }))).code, 'CNV_ERR_FIELD_REQUIRED');
  t.is(failure(t, () => decode(spec, raw({ ipam_config: [{ subnt: 'x' }] }))).code, 'CNV_ERR_FIELD_UNKNOWN');
});

test('a list where a string is expected is invalid', (t) => {
  t.is(failure(t, () => decode([content], raw({ content: ['a'] }))).code, 'CNV_ERR_FIELD_INVALID');
});
