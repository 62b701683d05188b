import test from 'ava';
import { StatusLevel } from '../../../src/resources/types.js';
import { prepare, runContext } from '../helpers.js';
import { api, removeAfter, uniqueName } from './docker-env.js';

const ctx = runContext(process.cwd());

test.serial('a missing volume is created with its labels, then reports no change', async (t) => {
  const name = uniqueName('vol');
  removeAfter(t, 'volume', name);
  const task = await prepare('docker.volume', { name, labels: { team: 'converge' } }, ctx.cwd);

  const before = await task.check(ctx);
  t.is(before.level, StatusLevel.WillChange);
  t.deepEqual(before.diffs[name], { original: 'absent', current: 'present', changes: true });

  const applied = await task.apply(ctx);
  t.is(applied.error, undefined);
  t.deepEqual(applied.messages, [`created volume ${name}`]);

  const info = await api.getVolume(name).inspect();
  t.deepEqual(info.Labels, { team: 'converge' });
  t.is(info.Driver, 'local');

  const after = await task.check(ctx);
  t.is(after.level, StatusLevel.NoChange);
  t.is(after.warning, undefined);
  t.false(after.diffs[name]!.changes);
  t.is((task.exported() as { mountpoint: string }).mountpoint, info.Mountpoint);
});

test.serial('differing labels only warn without force, and recreate the volume with force', async (t) => {
  const name = uniqueName('vol');
  removeAfter(t, 'volume', name);
  await api.createVolume({ Name: name, Labels: { team: 'old' } });

  const lenient = await prepare('docker.volume', { name, labels: { team: 'new' } }, ctx.cwd);
  const warned = await lenient.check(ctx);
  t.is(warned.level, StatusLevel.NoChange);
  t.regex(warned.warning ?? '', /differs from the module in labels; set force = true/);

  const forced = await prepare('docker.volume', { name, labels: { team: 'new' }, force: true }, ctx.cwd);
  const planned = await forced.check(ctx);
  t.is(planned.level, StatusLevel.WillChange);
  t.deepEqual(planned.diffs['labels'], { original: 'team=old', current: 'team=new', changes: true });

  const applied = await forced.apply(ctx);
  t.deepEqual(applied.messages, [`removed volume ${name}`, `created volume ${name}`]);
  t.deepEqual((await api.getVolume(name).inspect()).Labels, { team: 'new' });
  t.is((await forced.check(ctx)).level, StatusLevel.NoChange);
});

test.serial('state absent removes a volume and is then satisfied', async (t) => {
  const name = uniqueName('vol');
  removeAfter(t, 'volume', name);
  await api.createVolume({ Name: name });
  const task = await prepare('docker.volume', { name, state: 'absent' }, ctx.cwd);

  const before = await task.check(ctx);
  t.is(before.level, StatusLevel.WillChange);
  t.deepEqual(before.diffs[name], { original: 'present', current: 'absent', changes: true });
  t.deepEqual((await task.apply(ctx)).messages, [`removed volume ${name}`]);
  const err = await t.throwsAsync(api.getVolume(name).inspect());
  t.is((err as { statusCode?: number }).statusCode, 404);
  t.is((await task.check(ctx)).level, StatusLevel.NoChange);
});
