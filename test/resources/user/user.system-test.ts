import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { StatusLevel } from '../../../src/resources/types.js';
import { userUser } from '../../../src/resources/user/user.js';
import { addGroup, freeId, getent, removeUsersAtTeardown } from './accounts.js';
import { prepare, runContext, tempDir, uniqueName } from '../system-helpers.js';

const ctx = runContext();

test('adds a user with uid, comment, home and expiry; a second plan shows no change', async (t) => {
  const name = uniqueName('cnvu');
  removeUsersAtTeardown(t, name);
  const uid = freeId();
  const home = path.join(tempDir(t), 'home');
  const fields = { username: name, uid, name: 'Converge Test', create_home: true, home_dir: home, expiry: new Date('2031-02-03T00:00:00Z') };
  const task = await prepare(userUser, fields);

  const plan = await task.check(ctx);
  t.is(plan.level, StatusLevel.WillChange);
  t.deepEqual(plan.messages, ['add user']);
  t.deepEqual(plan.diffs, {
    username: { original: '<absent>', current: name, changes: true },
    uid: { original: '<absent>', current: String(uid), changes: true },
    comment: { original: '<absent>', current: 'Converge Test', changes: true },
    create_home: { original: '<absent>', current: home, changes: true },
    'home_dir name': { original: '<default home>', current: home, changes: true },
    expiry: { original: '<default expiry>', current: '2031-02-03', changes: true },
  });
  t.is(getent('passwd', name), undefined, 'check must not change the machine');

  const applied = await task.apply(ctx);
  t.is(applied.error, undefined);
  t.true(applied.messages.includes(`added user ${name}`));
  const entry = getent('passwd', name);
  t.is(entry?.[2], String(uid));
  t.is(entry?.[4], 'Converge Test');
  t.is(entry?.[5], home);
  t.true(fs.statSync(home).isDirectory());

  const again = await (await prepare(userUser, fields)).check(ctx);
  t.is(again.level, StatusLevel.NoChange);
  t.deepEqual(again.diffs, {});
  t.like(task.exported(), { username: name, uid: String(uid), name: 'Converge Test', homedir: home, createhome: true, expiry: '2031-02-03', state: 'present' });
});

test('modifies comment, expiry and home (moving its contents), one diff per field', async (t) => {
  const name = uniqueName('cnvu');
  removeUsersAtTeardown(t, name);
  const dir = tempDir(t);
  const oldHome = path.join(dir, 'old');
  const newHome = path.join(dir, 'new');
  await (await prepare(userUser, { username: name, create_home: true, home_dir: oldHome, name: 'Before' })).apply(ctx);
  fs.writeFileSync(path.join(oldHome, 'notes.txt'), 'mine\n');

  const fields = { username: name, name: 'After', home_dir: newHome, move_dir: true, expiry: new Date('2030-01-01T00:00:00Z') };
  const task = await prepare(userUser, fields);
  const plan = await task.check(ctx);
  t.deepEqual(plan.messages, ['modify user']);
  t.deepEqual(plan.diffs, {
    comment: { original: 'Before', current: 'After', changes: true },
    'home_dir name': { original: oldHome, current: newHome, changes: true },
    'home_dir contents': { original: oldHome, current: newHome, changes: true },
    expiry: { original: 'never', current: '2030-01-01', changes: true },
  });
  const applied = await task.apply(ctx);
  t.true(applied.messages.includes(`modified user ${name}`));
  t.is(fs.readFileSync(path.join(newHome, 'notes.txt'), 'utf8'), 'mine\n');
  t.false(fs.existsSync(oldHome));
  t.is((await task.check(ctx)).level, StatusLevel.NoChange);
});

test('renames with new_username; plans after the rename show no change', async (t) => {
  const name = uniqueName('cnvu');
  const renamed = uniqueName('cnvr');
  removeUsersAtTeardown(t, name, renamed);
  await (await prepare(userUser, { username: name })).apply(ctx);

  const task = await prepare(userUser, { username: name, new_username: renamed });
  const plan = await task.check(ctx);
  t.deepEqual(plan.diffs, { username: { original: name, current: renamed, changes: true } });
  await task.apply(ctx);
  t.is(getent('passwd', name), undefined);
  t.truthy(getent('passwd', renamed));
  t.is((await task.check(ctx)).level, StatusLevel.NoChange);
  t.is((await (await prepare(userUser, { username: name, new_username: renamed })).check(ctx)).level, StatusLevel.NoChange);
  t.like(task.exported(), { username: name, newusername: renamed });
});

test('primary group by groupname and by gid', async (t) => {
  const name = uniqueName('cnvu');
  const groupA = uniqueName('cnvg');
  const groupB = uniqueName('cnvg');
  const gidB = freeId();
  removeUsersAtTeardown(t, name);
  addGroup(t, groupA);
  addGroup(t, groupB, gidB);

  const byName = await prepare(userUser, { username: name, groupname: groupA });
  t.deepEqual((await byName.check(ctx)).diffs['group'], { original: '<absent>', current: groupA, changes: true });
  await byName.apply(ctx);
  t.is(getent('passwd', name)?.[3], getent('group', groupA)?.[2]);
  t.is((await byName.check(ctx)).level, StatusLevel.NoChange);

  const byGid = await prepare(userUser, { username: name, gid: gidB });
  t.deepEqual((await byGid.check(ctx)).diffs, { gid: { original: getent('group', groupA)?.[2] ?? '', current: String(gidB), changes: true } });
  await byGid.apply(ctx);
  t.is(getent('passwd', name)?.[3], String(gidB));
  t.is((await byGid.check(ctx)).level, StatusLevel.NoChange);

  const back = await prepare(userUser, { username: name, groupname: groupA });
  t.deepEqual((await back.check(ctx)).diffs, { group: { original: groupB, current: groupA, changes: true } });
});

test('skel_dir is copied into a created home', async (t) => {
  const name = uniqueName('cnvu');
  removeUsersAtTeardown(t, name);
  const dir = tempDir(t);
  const skel = path.join(dir, 'skel');
  fs.mkdirSync(skel);
  fs.writeFileSync(path.join(skel, '.profile-converge'), 'export X=1\n');
  const home = path.join(dir, 'home');
  const task = await prepare(userUser, { username: name, create_home: true, skel_dir: skel, home_dir: home });
  t.deepEqual((await task.check(ctx)).diffs['skel_dir contents'], { original: skel, current: home, changes: true });
  await task.apply(ctx);
  t.is(fs.readFileSync(path.join(home, '.profile-converge'), 'utf8'), 'export X=1\n');
});

test('state absent deletes the user; deleting a missing user is no change', async (t) => {
  const name = uniqueName('cnvu');
  removeUsersAtTeardown(t, name);
  await (await prepare(userUser, { username: name })).apply(ctx);
  const task = await prepare(userUser, { username: name, state: 'absent' });
  const plan = await task.check(ctx);
  t.deepEqual(plan.messages, ['delete user']);
  t.deepEqual(plan.diffs, { user: { original: name, current: '<absent>', changes: true } });
  const applied = await task.apply(ctx);
  t.true(applied.messages.includes(`deleted user ${name}`));
  t.is(getent('passwd', name), undefined);
  t.is((await task.check(ctx)).level, StatusLevel.NoChange);
});

test('plans that cannot be carried out say why', async (t) => {
  const name = uniqueName('cnvu');
  removeUsersAtTeardown(t, name);
  const missingGroup = await (await prepare(userUser, { username: name, groupname: 'cnv-no-such-group' })).check(ctx);
  t.is(missingGroup.level, StatusLevel.CantChange);
  t.is(missingGroup.error, 'group cnv-no-such-group does not exist');
  const applied = await (await prepare(userUser, { username: name, groupname: 'cnv-no-such-group' })).apply(ctx);
  t.is(applied.error, `will not attempt to add user ${name}: group cnv-no-such-group does not exist`);

  addGroup(t, name);
  const sameName = await (await prepare(userUser, { username: name })).check(ctx);
  t.is(sameName.level, StatusLevel.CantChange);
  t.is(sameName.error, `group ${name} exists`);
  t.deepEqual(sameName.messages, ['if you want to add this user to that group, use the groupname field']);

  const takenUid = await (await prepare(userUser, { username: uniqueName('cnvu'), uid: 0 })).check(ctx);
  t.is(takenUid.error, 'uid 0 already exists');
});

test('prepare refuses contradictory or out-of-range fields, naming the field', async (t) => {
  const cases: [Record<string, unknown>, string, string][] = [
    [{ username: 'x', skel_dir: '/etc/skel' }, 'skel_dir', 'user "create_home" parameter required with "skel_dir" parameter'],
    [{ username: 'x', move_dir: true }, 'move_dir', 'user "home_dir" parameter required with "move_dir" parameter'],
    [{ username: 'x', uid: 4294967295 }, 'uid', 'user "uid" parameter out of range'],
    [{ username: 'x', gid: -1 }, 'gid', 'user "gid" parameter out of range'],
  ];
  for (const [fields, field, message] of cases) {
    const error = await t.throwsAsync(prepare(userUser, fields));
    t.true(error?.message.endsWith(message), error?.message);
    t.like((error as { code?: string; details?: unknown }), { code: 'CNV_ERR_FIELD_INVALID', details: { field } });
  }
  t.deepEqual(userUser.mutuallyExclusive, [['gid', 'groupname']]);
});
