import test from 'ava';
import { decodeFields, getResource, resourceKinds } from '../../src/resources/index.js';
import type { RawField, ResourceDefinition } from '../../src/resources/types.js';

const KINDS = ['user.user', 'user.group', 'package.apt', 'package.rpm', 'file.fetch', 'unarchive'];
const where = { id: 'root/x.y', pos: { file: 'main.hcl', line: 3, column: 1 } };
const identity = (s: string): string => s;

function def(kind: string): ResourceDefinition {
  const found = getResource(kind);
  if (!found) throw new Error(`${kind} is not registered`);
  return found;
}

function raw(fields: Record<string, unknown>): Record<string, RawField> {
  let line = 4;
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { value: v, pos: { file: 'main.hcl', line: line++, column: 3 } }]));
}

async function decodeAndPrepare(kind: string, fields: Record<string, unknown>) {
  const d = def(kind);
  const decoded = decodeFields(d, raw(fields), identity, where);
  return d.prepare(decoded, { id: where.id, pos: where.pos, cwd: '/tmp' });
}

test('every system kind is registered, documented and exports lowercase names', (t) => {
  for (const kind of KINDS) {
    t.true(resourceKinds().includes(kind), kind);
    const d = def(kind);
    t.true(d.doc.length > 20, kind);
    for (const field of d.fields) t.true(field.doc.length > 10, `${kind}.${field.name}`);
    for (const name of d.exports) t.is(name, name.toLowerCase(), `${kind} exports ${name}`);
  }
});

test('unknown fields get a suggestion naming the field position', (t) => {
  const error = t.throws(() => decodeFields(def('user.user'), raw({ username: 'a', usrname: 'b' }), identity, where));
  t.regex(error?.message ?? '', /^main\.hcl:5:3: I don't have a field named "usrname"\. Maybe you meant: username/);
});

test('groupname and gid are mutually exclusive with the original message', (t) => {
  const error = t.throws(() => decodeFields(def('user.user'), raw({ username: 'a', groupname: 'g', gid: 10 }), identity, where));
  t.regex(error?.message ?? '', /only one of "gid" or "groupname" can be set/);
});

test('required, nonempty and valid values apply to the system kinds', (t) => {
  t.regex(t.throws(() => decodeFields(def('unarchive'), raw({ destination: '/x' }), identity, where))?.message ?? '', /"source" is required/);
  t.regex(t.throws(() => decodeFields(def('package.apt'), raw({ name: '' }), identity, where))?.message ?? '', /"name" must be nonempty/);
  t.regex(
    t.throws(() => decodeFields(def('package.rpm'), raw({ name: 'x', state: 'installed' }), identity, where))?.message ?? '',
    /value did not pass validation\. Must be one of "present,absent", was "installed"/,
  );
  t.regex(t.throws(() => decodeFields(def('user.group'), raw({ name: 'g', state: 'gone' }), identity, where))?.message ?? '', /Must be one of "present,absent"/);
});

test('decoded strings convert: uid from a string, expiry from a date, timeout from a duration', async (t) => {
  const user = await decodeAndPrepare('user.user', { username: 'cnvx', uid: '4321', expiry: '2031-02-03', create_home: 'true' });
  t.like(user.exported(), { uid: '4321', expiry: '2031-02-03', createhome: true, state: 'present' });
  const pkg = await decodeAndPrepare('package.apt', { name: 'hello' });
  t.deepEqual(pkg.exported(), { name: 'hello', state: 'present' });
  const fetch = await decodeAndPrepare('file.fetch', { source: 'http://127.0.0.1/x', destination: 'out', timeout: '2s', force: 'T' });
  t.like(fetch.exported(), { source: 'http://127.0.0.1/x', destination: 'out', force: true, hash_type: '', hash: '' });
});

test('semantic errors carry the node position and the field', async (t) => {
  const error = await t.throwsAsync(decodeAndPrepare('user.user', { username: 'a', move_dir: true }));
  t.is(error?.message, 'main.hcl:3:1: root/x.y: user "home_dir" parameter required with "move_dir" parameter');
  t.like(error as { details?: unknown }, { details: { id: 'root/x.y', field: 'move_dir', line: 3 } });
  const pkg = await t.throwsAsync(decodeAndPrepare('package.apt', { name: '--purge' }));
  t.regex(pkg?.message ?? '', /invalid package name "--purge"/);
});
