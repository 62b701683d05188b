/**
 * `converge apply --local` and `converge plan --local` of an LVM module, as a person runs them: the real
 * binary, real loop devices, exit codes and the printed summary.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { converge } from '../docker/run-converge.js';
import { FIXTURES } from '../system-helpers.js';
import { loopDevices, lvmSkipReason, lvmTestEnv, lvReport, vgReport } from './loop-devices.js';

const skip = lvmSkipReason();
if (skip !== undefined) console.error(`##### ${skip} #####`);
const lvmTest = skip === undefined ? test : test.skip;

lvmTest('converge apply --local creates the group and the volume; plan then reports 0 changes', async (t) => {
  const env = lvmTestEnv(t);
  const { dir, devices, vg } = loopDevices(t, 2);
  const [first, second] = devices as [string, string];
  fs.copyFileSync(path.join(FIXTURES, '../lvm/vg-lv.hcl'), path.join(dir, 'main.hcl'));
  const params = ['-p', `vg=${vg}`, '-p', `first=${first}`, '-p', `second=${second}`, 'main.hcl'];

  const started = Date.now();
  const applied = await converge('apply', params, dir, env);
  t.log(`converge apply: ${Date.now() - started} ms`);
  t.is(applied.code, 0, applied.stdout + applied.stderr);
  t.regex(applied.stdout, /Summary: 0 errors, 3 changes/);
  t.regex(applied.stdout, new RegExp(`created volume group ${vg}`));
  t.deepEqual(vgReport(vg), [{ vg_name: vg, pv_count: '2', lv_count: '1' }]);
  t.deepEqual(lvReport(vg).map((lv) => lv.lv_name), ['data']);

  const planned = await converge('plan', params, dir, env);
  t.is(planned.code, 0, planned.stdout + planned.stderr);
  t.regex(planned.stdout, /Summary: 0 errors, 0 changes/);
});
