/**
 * filesystem on a real loop device through the engine: mkfs when blkid finds nothing, no change on the
 * next plan, and a device holding another filesystem is refused and left as it was.
 */
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { run } from '../../graph/engine/helpers.js';
import { FIXTURES } from '../system-helpers.js';
import { loopDevices, lvmSkipReason } from './loop-devices.js';

const skip = lvmSkipReason() ?? (spawnSync('sh', ['-c', 'command -v mkfs.ext4 mkfs.ext3 blkid']).status === 0 ? undefined : 'e2fsprogs missing');
if (skip !== undefined) console.error(`##### filesystem system tests NOT run: ${skip} #####`);
const fsTest = skip === undefined ? test.serial : test.skip;

const blkidType = (device: string): string =>
  spawnSync('blkid', ['-c', '/dev/null', '-o', 'value', '-s', 'TYPE', device], { encoding: 'utf8' }).stdout.trim();

fsTest('formats an empty device as ext4; the next plan shows no change', async (t) => {
  const { dir, devices } = loopDevices(t, 1);
  const device = devices[0]!;
  fs.copyFileSync(path.join(FIXTURES, '../lvm/filesystem.hcl'), path.join(dir, 'main.hcl'));
  const params = { device };
  const planned = (await run('plan', dir, 'main.hcl', { params })).results.get('root/filesystem.data');
  t.deepEqual(planned?.changes['format'], { original: '<unformatted>', current: 'ext4', changes: true });
  t.regex(planned?.warning ?? '', /not managed/);
  t.is(blkidType(device), '');
  const applied = (await run('apply', dir, 'main.hcl', { params })).results.get('root/filesystem.data');
  t.is(applied?.error, '');
  t.is(blkidType(device), 'ext4');
  const again = (await run('plan', dir, 'main.hcl', { params })).results.get('root/filesystem.data');
  t.false(again?.hasChanges);
});

fsTest('a device holding another filesystem is refused, not reformatted', async (t) => {
  const { dir, devices } = loopDevices(t, 1);
  const device = devices[0]!;
  execFileSync('mkfs.ext3', ['-q', device]);
  fs.copyFileSync(path.join(FIXTURES, '../lvm/filesystem.hcl'), path.join(dir, 'main.hcl'));
  const applied = (await run('apply', dir, 'main.hcl', { params: { device } })).results.get('root/filesystem.data');
  t.is(applied?.error, `${device} already holds a filesystem of another type (ext3); it is not reformatted as ext4`);
  t.is(blkidType(device), 'ext3');
});

fsTest('a device that does not exist: the plan says so, apply fails naming it', async (t) => {
  const { dir } = loopDevices(t, 0);
  const device = path.join(dir, 'no-such-device');
  fs.copyFileSync(path.join(FIXTURES, '../lvm/filesystem.hcl'), path.join(dir, 'main.hcl'));
  const planned = (await run('plan', dir, 'main.hcl', { params: { device } })).results.get('root/filesystem.data');
  t.deepEqual(planned?.messages, [`device ${device} does not exist yet`]);
  const applied = (await run('apply', dir, 'main.hcl', { params: { device } })).results.get('root/filesystem.data');
  t.regex(applied?.error ?? '', new RegExp(`cannot format ${device}: the device does not exist$`));
});
