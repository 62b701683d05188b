/**
 * lvm.logicalvolume (fields as the original's, docs/resources.md): a logical volume `name` in volume group `group`, created with
 * lvcreate when it is missing. Like the original it never resizes an existing volume. After creating
 * it, apply waits for the device node, unless LVM left the volume inactive (activation turned off in
 * lvm.conf), in which case there is no node to wait for and a message says so.
 */
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { prepareError } from '../command.js';
import { StatusBuilder } from '../status.js';
import {
  StatusLevel,
  type DecodedFields,
  type PrepareContext,
  type ResourceDefinition,
  type ResourceStatus,
  type RunContext,
  type Task,
} from '../types.js';
import { logicalVolumes, lvmChange, lvmUnavailable, mapperPath, volumeGroups, type LogicalVolume } from './tools.js';
import { parseLvSize, type LvSize } from './size.js';
import { getErrorMessage } from '../../errors.js';

/** How long apply waits for udev to make the device node of a new, active volume. */
const DEVICE_WAIT_MS = 10_000;
const DEVICE_POLL_MS = 100;

interface LvSpec {
  readonly group: string;
  readonly name: string;
  readonly sizeText: string;
  readonly size: LvSize;
}

class LogicalVolumeTask implements Task {
  readonly #spec: LvSpec;
  /** What LVM last reported for the volume; undefined while it does not exist. */
  #current: LogicalVolume | undefined;

  constructor(spec: LvSpec) {
    this.#spec = spec;
  }

  get #id(): string {
    return `${this.#spec.group}/${this.#spec.name}`;
  }

  /** The volume as LVM reports it now, and whether its group exists. */
  async #look(signal: AbortSignal): Promise<{ groupExists: boolean; lv: LogicalVolume | undefined }> {
    const groups = await volumeGroups(signal);
    if (!groups.has(this.#spec.group)) return { groupExists: false, lv: undefined };
    const lv = (await logicalVolumes(this.#spec.group, signal)).get(this.#spec.name);
    return { groupExists: true, lv };
  }

  async check(ctx: RunContext): Promise<ResourceStatus> {
    const unavailable = lvmUnavailable('lvm.logicalvolume');
    if (unavailable !== undefined) return new StatusBuilder().fail(StatusLevel.Fatal, unavailable);
    const { group, name } = this.#spec;
    const status = new StatusBuilder();
    try {
      const { groupExists, lv } = await this.#look(ctx.signal);
      this.#current = lv;
      // In a plan the group is often made by an earlier node that has not run yet.
      if (!groupExists) status.message(`group ${group} does not exist, assuming it will be created`);
      if (lv === undefined) {
        status.raise(StatusLevel.WillChange).diff(name, '<not exists>', `created ${mapperPath(group, name)}`);
      }
      return status.build();
    } catch (error) {
      return status.fail(StatusLevel.Fatal, `logical volume ${this.#id}: ${getErrorMessage(error)}`);
    }
  }

  async apply(ctx: RunContext): Promise<ResourceStatus> {
    const unavailable = lvmUnavailable('lvm.logicalvolume');
    if (unavailable !== undefined) return new StatusBuilder().fail(StatusLevel.Fatal, unavailable);
    const { group, name, size } = this.#spec;
    const status = new StatusBuilder();
    try {
      const before = await this.#look(ctx.signal);
      if (!before.groupExists) return status.fail(StatusLevel.Fatal, `logical volume ${this.#id}: group ${group} does not exist`);
      if (before.lv === undefined) {
        await lvmChange(`creating logical volume ${this.#id}`, 'lvcreate', ['-n', name, size.option, size.value, group], ctx.signal);
        status
          .diff(name, '<not exists>', `created ${mapperPath(group, name)}`)
          .message(`created logical volume ${this.#id} (${this.#spec.sizeText})`);
      }
      const lv = (await this.#look(ctx.signal)).lv;
      this.#current = lv;
      if (lv === undefined) return status.fail(StatusLevel.Fatal, `logical volume ${this.#id}: lvcreate succeeded but lvs does not list it`);
      const planned = mapperPath(group, name);
      if (lv.devicePath !== planned) status.message(`WARN: real device path '${lv.devicePath}' differs from planned '${planned}'`);
      if (!lv.active) {
        status.message(`logical volume ${this.#id} is not active (LVM activation is off): no device node to wait for`);
      } else if (!(await waitForDevice(lv.devicePath, ctx.signal))) {
        return status.fail(StatusLevel.Fatal, `device path ${lv.devicePath} did not appear within ${DEVICE_WAIT_MS / 1000}s`);
      }
      return status.build();
    } catch (error) {
      return status.fail(StatusLevel.Fatal, getErrorMessage(error));
    }
  }

  exported(): Readonly<Record<string, unknown>> {
    const { group, name, sizeText } = this.#spec;
    return { group, name, size: sizeText, devicepath: this.#current?.devicePath ?? mapperPath(group, name) };
  }
}

async function waitForDevice(devicePath: string, signal: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + DEVICE_WAIT_MS;
  for (;;) {
    if (fs.existsSync(devicePath)) return true;
    if (Date.now() >= deadline || signal.aborted) return false;
    await sleep(DEVICE_POLL_MS, undefined, { signal }).catch(() => undefined);
  }
}

export const lvmLogicalVolume: ResourceDefinition = {
  kind: 'lvm.logicalvolume',
  doc:
    'An LVM logical volume in a volume group, created with lvcreate when missing (an existing one is never resized). ' +
    'Its device path, exported as `devicepath`, is `/dev/mapper/<group>-<name>`. Needs root and the lvm2 tools.',
  fields: [
    {
      name: 'group',
      type: 'string',
      required: true,
      nonempty: true,
      doc: 'The volume group to create the volume in. As in the original, the node also joins the serial group of that name.',
    },
    { name: 'name', type: 'string', required: true, nonempty: true, doc: 'The name of the logical volume.' },
    {
      name: 'size',
      type: 'string',
      required: true,
      nonempty: true,
      doc:
        'A percentage of FREE, VG or PVS (`100%FREE`, lvcreate -l), or a number with a unit b, s (sectors), k, m, g, t, p or e ' +
        '(`10G`, lvcreate -L); LVM reads units as powers of 1024 whatever their case.',
    },
  ],
  exports: ['group', 'name', 'size', 'devicepath'],
  prepare(fields: DecodedFields, ctx: PrepareContext): Task {
    const sizeText = String(fields['size']);
    const size = parseLvSize(sizeText);
    if (typeof size === 'string') throw prepareError(ctx, 'size', `size: ${size}`);
    return new LogicalVolumeTask({ group: String(fields['group']), name: String(fields['name']), sizeText, size });
  },
};
