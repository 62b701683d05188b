/**
 * lvm.volumegroup and lvm.logicalvolume through the real engine on real loop devices: apply creates the
 * group over two devices and a volume in it, vgs/lvs show them, a second plan shows no change; `remove`
 * shrinks the group; a device that belongs to another group is refused. Root and lvm2 are needed, so this
 * runs in `npm run test:system`.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { run } from '../../graph/engine/helpers.js';
import { FIXTURES } from '../system-helpers.js';
import { loopDevices, lvmSkipReason, lvmTestEnv, lvmTool, lvReport, pvReport, vgReport } from './loop-devices.js';

const skip = lvmSkipReason();
if (skip !== undefined) console.error(`##### ${skip} #####`);
const lvmTest = skip === undefined ? test.serial : test.skip;

const changed = (results: ReadonlyMap<string, { hasChanges: boolean }>): string[] =>
  [...results].filter(([, d]) => d.hasChanges).map(([id]) => id).sort();

function moduleDir(dir: string, ...names: string[]): void {
  for (const name of names) fs.copyFileSync(path.join(FIXTURES, '../lvm', name), path.join(dir, name));
}

lvmTest('a group over two devices and a volume in it; a plan after apply changes nothing; remove shrinks it', async (t) => {
  lvmTestEnv(t);
  const { dir, devices, vg } = loopDevices(t, 2);
  const [first, second] = devices as [string, string];
  moduleDir(dir, 'vg-lv.hcl', 'vg-shrink.hcl');
  const params = { vg, first, second };

  const planned = await run('plan', dir, 'vg-lv.hcl', { params });
  const vgPlan = planned.results.get('root/lvm.volumegroup.vg');
  t.deepEqual(vgPlan?.changes[vg], { original: '<not exists>', current: `${first}, ${second}`, changes: true });
  t.deepEqual(vgPlan?.changes[first], { original: '<no group>', current: `<group ${vg}>`, changes: true });
  t.deepEqual(vgReport(vg), [], 'a plan changes nothing');

  const started = Date.now();
  const applied = await run('apply', dir, 'vg-lv.hcl', { params });
  t.log(`apply: ${Date.now() - started} ms`);
  for (const [id, details] of applied.results) t.is(details.error, '', id);
  t.deepEqual(vgReport(vg), [{ vg_name: vg, pv_count: '2', lv_count: '1' }]);
  const [lv] = lvReport(vg);
  t.is(lv?.lv_name, 'data');
  t.is(lv?.lv_size, String(32 * 1024 * 1024));
  t.is(fs.readFileSync(path.join(dir, 'device.txt'), 'utf8'), lv?.lv_dm_path ?? '');

  t.deepEqual(changed((await run('plan', dir, 'vg-lv.hcl', { params })).results), []);

  const shrinkPlan = await run('plan', dir, 'vg-shrink.hcl', { params: { vg, first } });
  t.deepEqual(shrinkPlan.results.get('root/lvm.volumegroup.vg')?.changes, {
    [second]: { original: `<group ${vg}>`, current: '<destructed>', changes: true },
  });
  const shrunk = await run('apply', dir, 'vg-shrink.hcl', { params: { vg, first } });
  t.is(shrunk.results.get('root/lvm.volumegroup.vg')?.error, '');
  t.deepEqual(vgReport(vg), [{ vg_name: vg, pv_count: '1', lv_count: '1' }]);
  t.false(pvReport().some((pv) => pv.pv_name === second), 'the removed device is no longer a PV');
  t.deepEqual(changed((await run('plan', dir, 'vg-shrink.hcl', { params: { vg, first } })).results), []);
});

lvmTest('a device that belongs to another volume group is refused, not moved', async (t) => {
  lvmTestEnv(t);
  const { dir, devices, vg } = loopDevices(t, 2);
  const [first, second] = devices as [string, string];
  const other = `${vg}_other`;
  lvmTool('vgcreate', [other, second]);
  moduleDir(dir, 'vg-lv.hcl');
  const params = { vg, first, second };

  const planned = await run('plan', dir, 'vg-lv.hcl', { params });
  const expected = `cannot add device ${second} to volume group ${vg}: it is already a member of volume group ${other}`;
  t.is(planned.results.get('root/lvm.volumegroup.vg')?.error, expected);

  const applied = await run('apply', dir, 'vg-lv.hcl', { params });
  t.is(applied.results.get('root/lvm.volumegroup.vg')?.error, expected);
  t.is(applied.results.get('root/lvm.logicalvolume.data')?.error, 'error in dependency "root/lvm.volumegroup.vg"');
  t.deepEqual(vgReport(vg), []);
  t.deepEqual(vgReport(other), [{ vg_name: other, pv_count: '1', lv_count: '0' }]);
  t.false(pvReport().some((pv) => pv.pv_name === first), 'the free device was not touched either');
});

lvmTest('lvm.logicalvolume renders its group field (the loader also keeps it as the serial group)', async (t) => {
  lvmTestEnv(t);
  const { dir, vg } = loopDevices(t, 0);
  fs.writeFileSync(
    path.join(dir, 'main.hcl'),
    'param "vg" {}\nlvm.logicalvolume "data" {\n  group = "{{param `vg`}}"\n  name  = "data"\n  size  = "100%FREE"\n}\n',
  );
  const planned = await run('plan', dir, 'main.hcl', { params: { vg } });
  const lv = planned.results.get('root/lvm.logicalvolume.data');
  t.is(lv?.error, '');
  t.deepEqual(lv?.messages, [`group ${vg} does not exist, assuming it will be created`]);
  t.deepEqual(lv?.changes['data'], { original: '<not exists>', current: `created /dev/mapper/${vg}-data`, changes: true });
});
