import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { ConvergeError } from '../../../src/errors.js';
import { StatusLevel } from '../../../src/resources/types.js';
import { prepare, runContext, tempDir } from '../helpers.js';

// Changing owners needs root; the suite runs as root in CI. Elsewhere these tests are skipped.
const asRoot = process.getuid?.() === 0 ? test : test.skip;

asRoot('ownership converges, recursively, skipping symlinks', async (t) => {
  const dir = tempDir(t);
  const tree = path.join(dir, 'tree');
  fs.mkdirSync(path.join(tree, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(tree, 'sub', 'f'), '');
  fs.symlinkSync('/etc/hostname', path.join(tree, 'link'));
  const ctx = runContext(dir);
  const task = await prepare('file.owner', { destination: 'tree', uid: 65534, gid: 65534, recursive: true, verbose: true }, dir);
  const planned = await task.check(ctx);
  t.is(planned.level, StatusLevel.WillChange);
  t.deepEqual(Object.keys(planned.diffs).sort(), ['tree', 'tree/sub', 'tree/sub/f']);
  t.regex(planned.diffs['tree']?.original ?? '', /^user: \S+ \(0\); group: \S+ \(0\)$/);
  t.regex(planned.diffs['tree']?.current ?? '', /\(65534\); group: \S+ \(65534\)$/);
  await task.apply(ctx);
  t.is(fs.statSync(path.join(tree, 'sub', 'f')).uid, 65534);
  t.is(fs.lstatSync(path.join(tree, 'link')).uid, 0);
  t.is((await task.check(ctx)).level, StatusLevel.NoChange);
});

asRoot('names resolve through /etc/passwd and /etc/group; non-verbose counts the entries below', async (t) => {
  const dir = tempDir(t);
  fs.mkdirSync(path.join(dir, 'd'));
  fs.writeFileSync(path.join(dir, 'd', 'f'), '');
  const task = await prepare('file.owner', { destination: 'd', user: 'nobody', recursive: true }, dir);
  const planned = await task.check(runContext(dir));
  t.deepEqual(Object.keys(planned.diffs), ['d']);
  t.deepEqual(planned.messages, ['1 entry below "d" will change owner']);
  t.is(planned.diffs['d']?.current, 'user: nobody (65534)');
});

test('an unknown user is an error when checking', async (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, 'f'), '');
  const task = await prepare('file.owner', { destination: 'f', user: 'no-such-user-xyz' }, dir);
  t.is((await task.check(runContext(dir))).error, 'user: unknown user no-such-user-xyz');
});

test('user and uid together are rejected (the original let this through)', async (t) => {
  const error = await t.throwsAsync(prepare('file.owner', { destination: 'f', user: 'root', uid: 0 }, '/'), {
    instanceOf: ConvergeError,
  });
  t.is(error?.message, 'only one of "user" or "uid" can be set');
});

test('a missing destination may change and is compared when applying', async (t) => {
  const dir = tempDir(t);
  const task = await prepare('file.owner', { destination: 'later', gid: 0 }, dir);
  const status = await task.check(runContext(dir));
  t.is(status.level, StatusLevel.MayChange);
});
