import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { StatusLevel } from '../../../src/resources/types.js';
import { prepare, runContext, tempDir } from '../helpers.js';

test('a missing file is planned, created with mode 0600, then converged', async (t) => {
  const dir = tempDir(t);
  const ctx = runContext(dir);
  const task = await prepare('file.content', { destination: 'test.txt', content: 'Hello' }, dir);
  const planned = await task.check(ctx);
  t.is(planned.level, StatusLevel.WillChange);
  t.deepEqual(planned.messages, ['test.txt: File is missing']);
  t.deepEqual(planned.diffs, { 'test.txt': { original: '<file-missing>', current: 'Hello', changes: true } });

  const applied = await task.apply(ctx);
  t.deepEqual(applied.messages, []);
  t.deepEqual(applied.diffs, {
    'test.txt': { original: '<file-missing>', current: 'Hello', changes: true },
    mode: { original: 'not set', current: '0600', changes: true },
  });
  t.is(fs.readFileSync(path.join(dir, 'test.txt'), 'utf8'), 'Hello');
  t.is(fs.statSync(path.join(dir, 'test.txt')).mode & 0o777, 0o600);

  const after = await task.check(ctx);
  t.is(after.level, StatusLevel.NoChange);
  t.deepEqual(after.messages, ['OK']);
  t.deepEqual(after.diffs, {});
  t.deepEqual(task.exported(), { content: 'Hello', destination: 'test.txt' });
});

test('an existing file with other content is rewritten and keeps its mode', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'a.txt');
  fs.writeFileSync(file, 'old');
  fs.chmodSync(file, 0o644);
  const ctx = runContext(dir);
  const task = await prepare('file.content', { destination: file, content: 'new' }, '/');
  const planned = await task.check(ctx);
  t.deepEqual(planned.messages, ['contents differ']);
  t.deepEqual(planned.diffs[file], { original: 'old', current: 'new', changes: true });
  const applied = await task.apply(ctx);
  t.is(applied.diffs['mode'], undefined);
  t.is(fs.readFileSync(file, 'utf8'), 'new');
  t.is(fs.statSync(file).mode & 0o777, 0o644);
  t.is((await task.check(ctx)).level, StatusLevel.NoChange);
});

test('a directory at the destination is an error that halts dependents', async (t) => {
  const dir = tempDir(t);
  fs.mkdirSync(path.join(dir, 'sub'));
  const task = await prepare('file.content', { destination: 'sub', content: 'x' }, dir);
  const status = await task.check(runContext(dir));
  t.is(status.level, StatusLevel.CantChange);
  t.is(status.error, 'cannot update contents of "sub", it is a directory');
});

test('writing under a missing directory fails apply with a Go-style error', async (t) => {
  const dir = tempDir(t);
  const task = await prepare('file.content', { destination: 'no/such/file', content: 'x' }, dir);
  const status = await task.apply(runContext(dir));
  t.is(status.error, 'open no/such/file: no such file or directory');
});
