import test from 'ava';
import { StatusLevel } from '../../../src/resources/types.js';
import { userGroup } from '../../../src/resources/user/group.js';
import { addGroup, freeId, getent, removeGroupsAtTeardown } from './accounts.js';
import { prepare, runContext, uniqueName } from '../system-helpers.js';

const ctx = runContext();

test('adds a group with a gid; a second plan shows no change', async (t) => {
  const name = uniqueName('cnvg');
  removeGroupsAtTeardown(t, name);
  const gid = freeId();
  const task = await prepare(userGroup, { name, gid });
  const plan = await task.check(ctx);
  t.is(plan.level, StatusLevel.WillChange);
  t.deepEqual(plan.messages, ['add group']);
  t.deepEqual(plan.diffs, {
    group: { original: '<absent>', current: name, changes: true },
    gid: { original: '<absent>', current: String(gid), changes: true },
  });
  t.is(getent('group', name), undefined);
  const applied = await task.apply(ctx);
  t.true(applied.messages.includes(`added group ${name}`));
  t.is(getent('group', name)?.[2], String(gid));
  t.is((await (await prepare(userGroup, { name, gid })).check(ctx)).level, StatusLevel.NoChange);
  t.deepEqual(task.exported(), { name, newname: '', gid: String(gid), state: 'present' });
});

test('changes the gid and renames; plans after the rename show no change', async (t) => {
  const name = uniqueName('cnvg');
  const renamed = uniqueName('cnvh');
  removeGroupsAtTeardown(t, name, renamed);
  addGroup(t, name);
  const gid = freeId();
  const task = await prepare(userGroup, { name, new_name: renamed, gid });
  const plan = await task.check(ctx);
  t.deepEqual(plan.messages, ['modify group']);
  t.deepEqual(Object.keys(plan.diffs).sort(), ['gid', 'name']);
  t.deepEqual(plan.diffs['name'], { original: name, current: renamed, changes: true });
  await task.apply(ctx);
  t.is(getent('group', name), undefined);
  t.is(getent('group', renamed)?.[2], String(gid));
  t.is((await task.check(ctx)).level, StatusLevel.NoChange);
});

test('state absent deletes the group; a missing group is no change', async (t) => {
  const name = uniqueName('cnvg');
  addGroup(t, name);
  const task = await prepare(userGroup, { name, state: 'absent' });
  const plan = await task.check(ctx);
  t.deepEqual(plan.diffs, { group: { original: name, current: '<absent>', changes: true } });
  const applied = await task.apply(ctx);
  t.true(applied.messages.includes(`deleted group ${name}`));
  t.is(getent('group', name), undefined);
  t.is((await task.check(ctx)).level, StatusLevel.NoChange);
});

test('a gid held by another group, or a name and gid of different groups, cannot change', async (t) => {
  const other = uniqueName('cnvg');
  const gid = freeId();
  addGroup(t, other, gid);
  const name = uniqueName('cnvg');
  removeGroupsAtTeardown(t, name);
  const taken = await (await prepare(userGroup, { name, gid })).check(ctx);
  t.is(taken.level, StatusLevel.CantChange);
  t.is(taken.error, `group gid ${gid} already exists`);
  const applied = await (await prepare(userGroup, { name, gid })).apply(ctx);
  t.is(applied.error, `will not attempt to add group ${name}: group gid ${gid} already exists`);
  t.is(getent('group', name), undefined);

  const mismatch = await (await prepare(userGroup, { name: other, gid: gid + 1, state: 'absent' })).check(ctx);
  t.is(mismatch.error, `group ${other} and gid ${gid + 1} belong to different groups`);
});

test('prepare refuses a gid out of range, naming the field', async (t) => {
  const error = await t.throwsAsync(prepare(userGroup, { name: 'x', gid: 4294967295 }));
  t.true(error?.message.endsWith('group "gid" parameter out of range'));
  t.like(error as { details?: unknown }, { details: { field: 'gid' } });
});
