/**
 * lvm.volumegroup (fields as the original's, docs/resources.md): a volume group over the listed devices. A missing group is created
 * with vgcreate; listed devices not yet in it are added with vgextend; with `remove`, devices of the
 * group that are not listed are taken out (vgreduce) and their PV labels wiped (pvremove, forced with
 * `forceRemove`). A device that belongs to another group is refused, never moved.
 */
import { StatusBuilder } from '../status.js';
import {
  StatusLevel,
  type DecodedFields,
  type ResourceDefinition,
  type ResourceStatus,
  type RunContext,
  type Task,
} from '../types.js';
import { canonicalDevice, lvmChange, lvmUnavailable, physicalVolumes, volumeGroups } from './tools.js';
import { getErrorMessage } from '../../errors.js';

interface VgSpec {
  readonly name: string;
  readonly devices: readonly string[];
  readonly remove: boolean;
  readonly forceRemove: boolean;
}

interface VgPlan {
  readonly status: StatusBuilder;
  readonly exists: boolean;
  /** Devices as the module wrote them. */
  readonly add: readonly string[];
  /** Devices as LVM names them. */
  readonly drop: readonly string[];
  readonly error?: string;
}

async function planVg(spec: VgSpec, signal: AbortSignal): Promise<VgPlan> {
  const status = new StatusBuilder();
  const [pvs, vgs] = await Promise.all([physicalVolumes(signal), volumeGroups(signal)]);
  const exists = vgs.has(spec.name);
  const member = `<group ${spec.name}>`;
  const add: string[] = [];
  const wanted = new Set<string>();
  for (const device of spec.devices) {
    const canonical = canonicalDevice(device);
    if (wanted.has(canonical)) continue;
    wanted.add(canonical);
    const pv = pvs.get(canonical);
    if (pv !== undefined && pv.group !== '' && pv.group !== spec.name) {
      const error = `cannot add device ${device} to volume group ${spec.name}: it is already a member of volume group ${pv.group}`;
      return { status: status.raise(StatusLevel.CantChange), exists, add: [], drop: [], error };
    }
    if (pv === undefined || pv.group === '') {
      add.push(device);
      status.diff(device, '<no group>', member);
    }
  }
  const drop: string[] = [];
  if (spec.remove) {
    for (const [canonical, pv] of pvs) {
      if (pv.group !== spec.name || wanted.has(canonical)) continue;
      drop.push(pv.device);
      status.diff(pv.device, member, spec.forceRemove ? '<destructed>' : '<removed>');
    }
  }
  if (!exists) {
    if (add.length === 0) {
      const error = `volume group ${spec.name} does not exist and no devices are listed to create it from`;
      return { status: status.raise(StatusLevel.CantChange), exists, add, drop, error };
    }
    status.diff(spec.name, '<not exists>', add.join(', ')).message(`create volume group ${spec.name}`);
  } else {
    if (add.length > 0) status.message(`extend volume group ${spec.name} with ${add.join(', ')}`);
    if (drop.length > 0) status.message(`remove ${drop.join(', ')} from volume group ${spec.name}`);
  }
  return { status, exists, add, drop };
}

class VolumeGroupTask implements Task {
  readonly #spec: VgSpec;

  constructor(spec: VgSpec) {
    this.#spec = spec;
  }

  async check(ctx: RunContext): Promise<ResourceStatus> {
    const unavailable = lvmUnavailable('lvm.volumegroup');
    if (unavailable !== undefined) return new StatusBuilder().fail(StatusLevel.Fatal, unavailable);
    try {
      const plan = await planVg(this.#spec, ctx.signal);
      return plan.error === undefined ? plan.status.build() : plan.status.fail(StatusLevel.CantChange, plan.error);
    } catch (error) {
      return new StatusBuilder().fail(StatusLevel.Fatal, `volume group ${this.#spec.name}: ${getErrorMessage(error)}`);
    }
  }

  async apply(ctx: RunContext): Promise<ResourceStatus> {
    const { name, forceRemove } = this.#spec;
    const unavailable = lvmUnavailable('lvm.volumegroup');
    if (unavailable !== undefined) return new StatusBuilder().fail(StatusLevel.Fatal, unavailable);
    // Planned again here, from what LVM reports now, so apply does exactly what a fresh check shows.
    const plan = await planVg(this.#spec, ctx.signal);
    if (plan.error !== undefined) return plan.status.fail(StatusLevel.CantChange, plan.error);
    const { signal } = ctx;
    try {
      if (!plan.exists) {
        await lvmChange(`creating volume group ${name}`, 'vgcreate', [name, ...plan.add.map(canonicalDevice)], signal);
        plan.status.message(`created volume group ${name}`);
      } else {
        for (const device of plan.add) {
          await lvmChange(`extending volume group ${name} with ${device}`, 'vgextend', [name, canonicalDevice(device)], signal);
        }
        for (const device of plan.drop) {
          await lvmChange(`removing ${device} from volume group ${name}`, 'vgreduce', [name, device], signal);
          const force = forceRemove ? ['--force', '--force', '--yes'] : [];
          await lvmChange(`removing physical volume ${device}`, 'pvremove', [...force, device], signal);
        }
      }
    } catch (error) {
      return plan.status.fail(StatusLevel.Fatal, getErrorMessage(error));
    }
    return plan.status.build();
  }

  exported(): Readonly<Record<string, unknown>> {
    return { name: this.#spec.name, devices: [...this.#spec.devices] };
  }
}

export const lvmVolumeGroup: ResourceDefinition = {
  kind: 'lvm.volumegroup',
  doc:
    'An LVM volume group over the listed block devices (vgcreate, vgextend; with `remove`, vgreduce and pvremove). ' +
    'A device that already belongs to another volume group is refused. Needs root and the lvm2 tools.',
  fields: [
    { name: 'name', type: 'string', required: true, nonempty: true, doc: 'The name of the volume group.' },
    { name: 'devices', type: 'stringList', default: [], doc: 'Block devices the group is made of (`/dev/sdb`); symlinks are resolved.' },
    {
      name: 'remove',
      type: 'bool',
      default: false,
      doc: 'Takes devices of the group that are not listed out of it (vgreduce, then pvremove).',
    },
    {
      name: 'forceRemove',
      type: 'bool',
      default: false,
      doc: 'With `remove`, wipes the PV label of removed devices by force (`pvremove --force --force --yes`).',
    },
  ],
  exports: ['name', 'devices'],
  prepare(fields: DecodedFields): Task {
    return new VolumeGroupTask({
      name: String(fields['name']),
      devices: (fields['devices'] as readonly string[] | undefined) ?? [],
      remove: fields['remove'] === true,
      forceRemove: fields['forceRemove'] === true,
    });
  },
};
