/**
 * Set-up for the LVM system tests: sparse files attached as loop devices, a unique volume group name,
 * and a teardown that always removes what a test made (vgremove -f, pvremove, losetup -d, rm), even when
 * the test failed half-way. On a kernel without device-mapper (this project's VMs) LVM cannot activate a
 * logical volume, so the tests point LVM_SYSTEM_DIR at an lvm.conf with activation off: LVM still writes
 * real metadata on the real devices, it only makes no /dev/mapper node.
 */
import type { ExecutionContext } from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { uniqueName } from '../system-helpers.js';

/** Read at each call: lvmTestEnv() sets LVM_SYSTEM_DIR after this module loads. */
const quiet = (): NodeJS.ProcessEnv => ({ ...process.env, LVM_SUPPRESS_FD_WARNINGS: '1' });

/** Why the LVM system tests cannot run here, or undefined when they can. */
export function lvmSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'LVM system tests need root';
  for (const tool of ['vgs', 'vgcreate', 'lvcreate', 'pvremove', 'losetup']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      return `LVM system tests NOT run: ${tool} is missing (apt-get install lvm2)`;
    }
  }
  return undefined;
}

/** True when the kernel has device-mapper, so that LVM can activate volumes. */
export function hasDeviceMapper(): boolean {
  return fs.existsSync('/dev/mapper/control') && spawnSync('dmsetup', ['version']).status === 0;
}

/**
 * The environment the tests and the converge under test run LVM with: activation off when there is no
 * device-mapper (see above). Set in process.env too, for the in-process engine.
 */
export function lvmTestEnv(t: ExecutionContext): Record<string, string> {
  if (hasDeviceMapper()) return {};
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnv-lvmconf-'));
  fs.writeFileSync(path.join(dir, 'lvm.conf'), 'global {\n  activation = 0\n}\n');
  t.log('no device-mapper in this kernel: LVM runs with activation = 0 (metadata only, no /dev/mapper nodes)');
  process.env['LVM_SYSTEM_DIR'] = dir;
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return { LVM_SYSTEM_DIR: dir };
}

export interface LoopFixture {
  readonly dir: string;
  readonly devices: readonly string[];
  /** A volume group name no other run uses. */
  readonly vg: string;
}

/**
 * `count` sparse files of `sizeMiB` attached as loop devices. Teardown removes every volume group on
 * them (the test's and any other it made), their PV labels, the loop devices and the files.
 */
export function loopDevices(t: ExecutionContext, count: number, sizeMiB = 64): LoopFixture {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnv-lvm-'));
  const devices: string[] = [];
  t.teardown(() => {
    for (const vg of groupsOn(devices)) spawnSync('vgremove', ['-f', vg], { env: quiet() });
    for (const device of devices) {
      spawnSync('pvremove', ['-ff', '-y', device], { env: quiet() });
      spawnSync('losetup', ['-d', device]);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, `disk${i}.img`);
    fs.writeFileSync(file, '');
    fs.truncateSync(file, sizeMiB * 1024 * 1024);
    devices.push(execFileSync('losetup', ['--find', '--show', file], { encoding: 'utf8' }).trim());
  }
  return { dir, devices, vg: uniqueName('cnvtest_') };
}

/** The volume groups that hold any of `devices`. */
function groupsOn(devices: readonly string[]): string[] {
  const groups = new Set<string>();
  let pvs: { pv_name: string; vg_name: string }[] = [];
  try {
    pvs = pvReport();
  } catch {
    // Teardown goes on: pvremove -ff below still wipes the labels of whatever is left.
  }
  for (const pv of pvs) if (devices.includes(pv.pv_name) && pv.vg_name !== '') groups.add(pv.vg_name);
  return [...groups];
}

function report<T>(program: string, key: string, columns: string, extra: readonly string[] = []): T[] {
  const out = execFileSync(program, ['--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', columns, ...extra], {
    encoding: 'utf8',
    env: quiet(),
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const parsed = JSON.parse(out) as { report: Record<string, T[]>[] };
  return parsed.report.flatMap((section) => section[key] ?? []);
}

export function pvReport(): { pv_name: string; vg_name: string }[] {
  return report('pvs', 'pv', 'pv_name,vg_name');
}

export function vgReport(vg: string): { vg_name: string; pv_count: string; lv_count: string }[] {
  return report<{ vg_name: string; pv_count: string; lv_count: string }>('vgs', 'vg', 'vg_name,pv_count,lv_count').filter(
    (row) => row.vg_name === vg,
  );
}

export function lvReport(vg: string): { lv_name: string; lv_size: string; lv_dm_path: string }[] {
  return report('lvs', 'lv', 'lv_name,lv_size,lv_dm_path', [vg]);
}

/** Runs an LVM tool directly (set-up that the resource under test must then find). */
export function lvmTool(program: string, args: readonly string[]): void {
  execFileSync(program, args, { env: quiet(), stdio: ['ignore', 'ignore', 'pipe'] });
}
