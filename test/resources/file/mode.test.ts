import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { modeString } from '../../../src/resources/file/mode.js';
import { StatusLevel } from '../../../src/resources/types.js';
import { prepare, runContext, tempDir } from '../helpers.js';

test('modes print like ls -l', (t) => {
  t.is(modeString(0o777), '-rwxrwxrwx');
  t.is(modeString(0o644), '-rw-r--r--');
  t.is(modeString(0o750), '-rwxr-x---');
});

test('a wrong mode converges, with the original messages', async (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, 'test.txt'), 'x');
  fs.chmodSync(path.join(dir, 'test.txt'), 0o644);
  const ctx = runContext(dir);
  const task = await prepare('file.mode', { destination: 'test.txt', mode: 0o777 }, dir);
  const planned = await task.check(ctx);
  t.is(planned.level, StatusLevel.WillChange);
  t.deepEqual(planned.messages, ['"test.txt" exists', '"test.txt"\'s mode is "-rw-r--r--" expected "-rwxrwxrwx"']);
  t.deepEqual(planned.diffs, { 'test.txt': { original: '-rw-r--r--', current: '-rwxrwxrwx', changes: true } });
  const applied = await task.apply(ctx);
  t.deepEqual(applied.diffs, { 'test.txt': { original: '-rwxrwxrwx', current: '-rwxrwxrwx', changes: false } });
  t.is(fs.statSync(path.join(dir, 'test.txt')).mode & 0o777, 0o777);
  const after = await task.check(ctx);
  t.is(after.level, StatusLevel.NoChange);
  t.deepEqual(task.exported(), { destination: 'test.txt', mode: '-rwxrwxrwx' });
});

test('a string mode is octal', async (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, 'f'), '');
  const task = await prepare('file.mode', { destination: 'f', mode: '0640' }, dir);
  await task.apply(runContext(dir));
  t.is(fs.statSync(path.join(dir, 'f')).mode & 0o777, 0o640);
});

test('a missing file is a change with a warning at plan time, as in the original; apply then fails', async (t) => {
  const dir = tempDir(t);
  const task = await prepare('file.mode', { destination: 'nope', mode: 0o600 }, dir);
  const status = await task.check(runContext(dir));
  t.is(status.level, StatusLevel.MayChange);
  t.is(status.error, undefined);
  t.is(status.warning, '"nope" does not exist');
  t.deepEqual(status.diffs['nope'], { original: '----------', current: '-rw-------', changes: true });
  const applied = await task.apply(runContext(dir));
  t.not(applied.error, undefined);
});
