/**
 * The LVM tools behind lvm.volumegroup and lvm.logicalvolume: preflight (root, tools on PATH), the
 * JSON reports of pvs/vgs/lvs, and running a changing command with its stderr as the reason on failure.
 * Reports use `--reportformat json` so that names with odd characters and empty columns cannot shift
 * the parse, as splitting columns could.
 */
import fs from 'node:fs';
import path from 'node:path';
import { commandFailure, runCommand, type CommandResult } from '../command.js';

/**
 * LVM warns on stderr about every inherited file descriptor (Node keeps some open); the warning is noise
 * that would bury the real reason in failure texts.
 */
const LVM_ENV = { LVM_SUPPRESS_FD_WARNINGS: '1' } as const;

/** The tools the two kinds run; a missing one is reported before anything is tried. */
const LVM_TOOLS = ['pvs', 'vgs', 'lvs', 'vgcreate', 'vgextend', 'vgreduce', 'pvremove', 'lvcreate'] as const;

/** Why LVM cannot be used here (not root, a tool missing), or undefined when it can. */
export function lvmUnavailable(kind: string): string | undefined {
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0) return `${kind}: LVM needs root (uid 0), but converge runs as uid ${uid}`;
  const missing = LVM_TOOLS.filter((tool) => !onPath(tool));
  if (missing.length > 0) return `${kind}: cannot find ${missing.join(', ')} in $PATH (the lvm2 package provides them)`;
  return undefined;
}

function onPath(program: string): boolean {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    try {
      fs.accessSync(path.join(dir, program), fs.constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** Runs an LVM tool; resolves with its result whatever the exit code. */
export function lvm(program: string, args: readonly string[], signal: AbortSignal): Promise<CommandResult> {
  return runCommand(program, args, { signal, env: LVM_ENV });
}

/** Runs a changing LVM command; throws `<what>: <tool> exited with status N: <stderr>` when it fails. */
export async function lvmChange(what: string, program: string, args: readonly string[], signal: AbortSignal): Promise<void> {
  const result = await lvm(program, args, signal);
  if (result.code !== 0) throw new Error(`${what}: ${commandFailure(program, result)}`);
}

type Row = Readonly<Record<string, string>>;

/** The rows of one report (`pv`, `vg` or `lv`) of `<program> --reportformat json -o <columns>`. */
async function report(
  program: 'pvs' | 'vgs' | 'lvs',
  columns: readonly string[],
  extra: readonly string[],
  signal: AbortSignal,
): Promise<Row[]> {
  const args = ['--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', columns.join(','), ...extra];
  const result = await lvm(program, args, signal);
  if (result.code !== 0) throw new Error(`querying ${program}: ${commandFailure(program, result)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout);
  } catch {
    throw new Error(`querying ${program}: its output is not a JSON report: ${result.stdout.slice(0, 200)}`);
  }
  const key = program.slice(0, 2);
  const sections = (parsed as { report?: readonly Record<string, unknown>[] }).report ?? [];
  const rows: Row[] = [];
  for (const section of sections) {
    const list = section[key];
    if (Array.isArray(list)) rows.push(...(list as Row[]));
  }
  return rows;
}

export interface PhysicalVolume {
  /** The device as LVM names it (`/dev/loop0`). */
  readonly device: string;
  /** Its volume group, or '' for a PV in none. */
  readonly group: string;
}

/** Every physical volume LVM sees, keyed by its canonical device path. */
export async function physicalVolumes(signal: AbortSignal): Promise<Map<string, PhysicalVolume>> {
  const rows = await report('pvs', ['pv_name', 'vg_name'], [], signal);
  const out = new Map<string, PhysicalVolume>();
  for (const row of rows) {
    const device = row['pv_name'] ?? '';
    if (device !== '') out.set(canonicalDevice(device), { device, group: row['vg_name'] ?? '' });
  }
  return out;
}

export interface VolumeGroup {
  readonly name: string;
  readonly sizeBytes: number;
  readonly freeBytes: number;
}

/** Every volume group LVM sees, by name. */
export async function volumeGroups(signal: AbortSignal): Promise<Map<string, VolumeGroup>> {
  const rows = await report('vgs', ['vg_name', 'vg_size', 'vg_free'], [], signal);
  return new Map(
    rows.map((row) => {
      const name = row['vg_name'] ?? '';
      return [name, { name, sizeBytes: Number(row['vg_size'] ?? 0), freeBytes: Number(row['vg_free'] ?? 0) }];
    }),
  );
}

export interface LogicalVolume {
  readonly name: string;
  readonly sizeBytes: number;
  /** `/dev/mapper/<vg>-<lv>`, hyphens in the names doubled as device-mapper does. */
  readonly devicePath: string;
  /** False when LVM did not activate it (activation off in lvm.conf): it then has no device node. */
  readonly active: boolean;
}

/** The logical volumes of volume group `group`, by name. */
export async function logicalVolumes(group: string, signal: AbortSignal): Promise<Map<string, LogicalVolume>> {
  const rows = await report('lvs', ['lv_name', 'lv_size', 'lv_dm_path', 'lv_active'], [group], signal);
  return new Map(
    rows.map((row) => {
      const name = row['lv_name'] ?? '';
      return [
        name,
        {
          name,
          sizeBytes: Number(row['lv_size'] ?? 0),
          devicePath: row['lv_dm_path'] ?? '',
          active: row['lv_active'] === 'active',
        },
      ];
    }),
  );
}

/**
 * The device a path names, with symlinks (`/dev/disk/by-id/...`) resolved, so that a module may name
 * a device either way; a path that does not resolve is kept as written (the tool will say why).
 */
export function canonicalDevice(device: string): string {
  try {
    return fs.realpathSync(device);
  } catch {
    return device;
  }
}

/** The device-mapper path LVM gives `<group>/<name>`: each `-` inside a name is doubled. */
export function mapperPath(group: string, name: string): string {
  const escape = (s: string): string => s.replace(/-/g, '--');
  return `/dev/mapper/${escape(group)}-${escape(name)}`;
}
