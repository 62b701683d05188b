/**
 * filesystem (fields as the original's, docs/resources.md): makes a filesystem of `fstype` on `device` (mkfs -t) when blkid finds
 * none there. A device that holds a filesystem of another type is refused, never reformatted: the
 * original had no way to force it, and neither has this. The original also wrote and started a systemd
 * `.mount` unit for `mount`; that part is not done here, and every status says so in its warning.
 */
import fs from 'node:fs';
import { commandFailure, runCommand } from '../command.js';
import { StatusBuilder } from '../status.js';
import {
  StatusLevel,
  type DecodedFields,
  type ResourceDefinition,
  type ResourceStatus,
  type RunContext,
  type Task,
} from '../types.js';
import { canonicalDevice } from './tools.js';
import { getErrorMessage } from '../../errors.js';

interface FsSpec {
  readonly device: string;
  readonly mount: string;
  readonly fstype: string;
}

/** blkid's exit code when it found no filesystem (or no device answered the probe). */
const BLKID_NOTHING_FOUND = 2;

/** The filesystem type blkid finds on `device`, '' for none, or undefined when the device does not exist. */
async function filesystemType(device: string, signal: AbortSignal): Promise<string | undefined> {
  if (!fs.existsSync(device)) return undefined;
  // -c /dev/null: probe the device itself, not blkid's cache, which may predate a mkfs.
  const result = await runCommand('blkid', ['-c', '/dev/null', '-o', 'value', '-s', 'TYPE', device], { signal });
  if (result.code === BLKID_NOTHING_FOUND) return '';
  if (result.code !== 0) throw new Error(`probing ${device}: ${commandFailure('blkid', result)}`);
  return result.stdout.trim();
}

function missingTool(fstype: string): string | undefined {
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0) return `filesystem: formatting needs root (uid 0), but converge runs as uid ${uid}`;
  const tool = `mkfs.${fstype}`;
  const dirs = (process.env['PATH'] ?? '').split(':').filter((d) => d !== '');
  const found = dirs.some((dir) => {
    try {
      fs.accessSync(`${dir}/${tool}`, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  return found ? undefined : `filesystem: cannot find ${tool} in $PATH`;
}

class FilesystemTask implements Task {
  readonly #spec: FsSpec;

  constructor(spec: FsSpec) {
    this.#spec = spec;
  }

  get #warning(): string {
    return `the mount of ${this.#spec.device} on ${this.#spec.mount} is not managed (no systemd .mount unit is written)`;
  }

  /** What is on the device now, and whether mkfs is to run; `error` when it must not. */
  async #plan(signal: AbortSignal): Promise<{ status: StatusBuilder; mkfs: boolean; missing?: boolean; error?: string }> {
    const { device, fstype } = this.#spec;
    const status = new StatusBuilder();
    const found = await filesystemType(device, signal);
    if (found === fstype) return { status, mkfs: false };
    if (found !== undefined && found !== '') {
      const error = `${device} already holds a filesystem of another type (${found}); it is not reformatted as ${fstype}`;
      return { status: status.raise(StatusLevel.CantChange), mkfs: false, error };
    }
    // A device still missing in a plan is usually made by an earlier node (a logical volume).
    if (found === undefined) status.message(`device ${device} does not exist yet`);
    status.diff('format', '<unformatted>', fstype);
    return { status, mkfs: true, missing: found === undefined };
  }

  async check(ctx: RunContext): Promise<ResourceStatus> {
    const unavailable = missingTool(this.#spec.fstype);
    if (unavailable !== undefined) return new StatusBuilder().fail(StatusLevel.Fatal, unavailable);
    try {
      const plan = await this.#plan(ctx.signal);
      const status = plan.error === undefined ? plan.status.build() : plan.status.fail(StatusLevel.CantChange, plan.error);
      return { ...status, warning: this.#warning };
    } catch (error) {
      return new StatusBuilder().fail(StatusLevel.Fatal, getErrorMessage(error));
    }
  }

  async apply(ctx: RunContext): Promise<ResourceStatus> {
    const { device, fstype } = this.#spec;
    const unavailable = missingTool(fstype);
    if (unavailable !== undefined) return new StatusBuilder().fail(StatusLevel.Fatal, unavailable);
    try {
      const plan = await this.#plan(ctx.signal);
      if (plan.error !== undefined) return plan.status.fail(StatusLevel.CantChange, plan.error);
      if (plan.missing === true) return plan.status.fail(StatusLevel.Fatal, `cannot format ${device}: the device does not exist`);
      if (plan.mkfs) {
        const result = await runCommand('mkfs', ['-t', fstype, canonicalDevice(device)], { signal: ctx.signal });
        if (result.code !== 0) return plan.status.fail(StatusLevel.Fatal, `mkfs of ${device}: ${commandFailure('mkfs', result)}`);
        plan.status.message(`made a ${fstype} filesystem on ${device}`);
      }
      return { ...plan.status.build(), warning: this.#warning };
    } catch (error) {
      return new StatusBuilder().fail(StatusLevel.Fatal, getErrorMessage(error));
    }
  }

  exported(): Readonly<Record<string, unknown>> {
    return { device: this.#spec.device, mount: this.#spec.mount, fstype: this.#spec.fstype };
  }
}

export const filesystem: ResourceDefinition = {
  kind: 'filesystem',
  doc:
    'Makes a filesystem of `fstype` on a block device (mkfs -t) when blkid finds none; a device holding another ' +
    'filesystem is refused, never reformatted. Unlike the original, it does not write or start a systemd .mount ' +
    'unit: `mount`, `requiredBy`, `wantedBy` and `before` are accepted and the status warns that the mount is not managed.',
  fields: [
    { name: 'device', type: 'string', required: true, nonempty: true, doc: 'The block device (`/dev/mapper/vg0-data`).' },
    { name: 'mount', type: 'string', required: true, nonempty: true, doc: 'Where the device is to be mounted (not acted on yet).' },
    { name: 'fstype', type: 'string', required: true, nonempty: true, doc: 'The filesystem type, as mkfs.<fstype> names it (`ext4`, `xfs`).' },
    { name: 'requiredBy', type: 'stringList', doc: 'Units for the .mount unit\'s RequiredBy= (not acted on yet).' },
    { name: 'wantedBy', type: 'stringList', doc: 'Units for the .mount unit\'s WantedBy= (not acted on yet).' },
    { name: 'before', type: 'stringList', doc: 'Units for the .mount unit\'s Before= (not acted on yet).' },
  ],
  exports: ['device', 'mount', 'fstype'],
  prepare(fields: DecodedFields): Task {
    return new FilesystemTask({
      device: String(fields['device']),
      mount: String(fields['mount']),
      fstype: String(fields['fstype']),
    });
  },
};
