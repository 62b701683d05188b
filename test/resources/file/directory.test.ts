import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { StatusLevel } from '../../../src/resources/types.js';
import { prepare, runContext, tempDir } from '../helpers.js';

const absent = { original: '<absent>', current: '<present>', changes: true };

test('a single missing directory converges', async (t) => {
  const dir = tempDir(t);
  const ctx = runContext(dir);
  const task = await prepare('file.directory', { destination: 'hello' }, dir);
  const planned = await task.check(ctx);
  t.is(planned.level, StatusLevel.WillChange);
  t.deepEqual(planned.messages, []);
  t.deepEqual(planned.diffs, { hello: absent });
  const applied = await task.apply(ctx);
  t.deepEqual(applied.messages, ['"hello" exists']);
  t.true(fs.statSync(path.join(dir, 'hello')).isDirectory());
  const after = await task.check(ctx);
  t.is(after.level, StatusLevel.NoChange);
  t.deepEqual(after.messages, ['"hello" already exists']);
  t.deepEqual(task.exported(), { destination: 'hello', createall: false });
});

test('create_all plans every missing level and creates them', async (t) => {
  const dir = tempDir(t);
  const ctx = runContext(dir);
  const task = await prepare('file.directory', { destination: 'deeper/a/b/c', create_all: 'true' }, dir);
  const planned = await task.check(ctx);
  t.deepEqual(Object.keys(planned.diffs).sort(), ['deeper', 'deeper/a', 'deeper/a/b', 'deeper/a/b/c']);
  await task.apply(ctx);
  t.true(fs.statSync(path.join(dir, 'deeper/a/b/c')).isDirectory());
  t.deepEqual((await task.check(ctx)).messages, ['"deeper/a/b/c" already exists']);
});

test('a missing parent without create_all cannot change', async (t) => {
  const dir = tempDir(t);
  const task = await prepare('file.directory', { destination: 'x/y' }, dir);
  const status = await task.check(runContext(dir));
  t.is(status.level, StatusLevel.CantChange);
  t.deepEqual(status.messages, ['"x" does not exist and will not be created (enable create_all to do this)']);
  t.truthy(status.error);
});

test('a file in the way cannot change', async (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, 'f'), '');
  const task = await prepare('file.directory', { destination: 'f' }, dir);
  const status = await task.check(runContext(dir));
  t.is(status.level, StatusLevel.CantChange);
  t.deepEqual(status.messages, ['"f" already exists and is not a directory']);
});
