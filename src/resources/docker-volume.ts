/**
 * `docker.volume`: a named volume that must be present or absent (REFERENCE §2.2). With `force`, a
 * present volume whose labels, driver or options differ is removed and created again.
 */
import type Docker from 'dockerode';
import { dockerEngine, dockerFailure, mapText, type DockerEngine } from './docker-client.js';
import { drifted, driftDiffs, driftWarning, type FieldComparison } from './docker-drift.js';
import { makeStatus, textDiff } from './status.js';
import {
  StatusLevel,
  type DecodedFields,
  type PrepareContext,
  type ResourceDefinition,
  type ResourceStatus,
  type RunContext,
  type Task,
} from './types.js';

type State = 'present' | 'absent';

interface VolumeSpec {
  readonly name: string;
  readonly driver: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly options: Readonly<Record<string, string>>;
  readonly state: State;
  readonly force: boolean;
}

class DockerVolume implements Task {
  readonly #engine: DockerEngine;
  readonly #spec: VolumeSpec;
  #found: Docker.VolumeInspectInfo | undefined;

  constructor(engine: DockerEngine, spec: VolumeSpec) {
    this.#engine = engine;
    this.#spec = spec;
  }

  #inspect(): Promise<Docker.VolumeInspectInfo | undefined> {
    const { name } = this.#spec;
    return this.#engine.call(`inspect volume ${name}`, (api) => api.getVolume(name).inspect(), true);
  }

  #compare(volume: Docker.VolumeInspectInfo): FieldComparison[] {
    const spec = this.#spec;
    const comparisons: FieldComparison[] = [
      { field: 'labels', actual: mapText(volume.Labels), expected: mapText(spec.labels) },
      { field: 'driver', actual: volume.Driver, expected: spec.driver, fallback: 'local' },
    ];
    // Engines that report the creation options let us compare them; the original could not.
    const reported = (volume as { Options?: Record<string, string> | null }).Options;
    if (reported !== undefined && reported !== null) {
      comparisons.push({ field: 'options', actual: mapText(reported), expected: mapText(spec.options) });
    }
    return drifted(comparisons);
  }

  async check(_ctx: RunContext): Promise<ResourceStatus> {
    const spec = this.#spec;
    try {
      const volume = await this.#inspect();
      this.#found = volume;
      const actualState: State = volume === undefined ? 'absent' : 'present';
      const diffs = { [spec.name]: textDiff(actualState, spec.state) };
      if (spec.state === 'absent' || volume === undefined) {
        const level = actualState === spec.state ? StatusLevel.NoChange : StatusLevel.WillChange;
        return makeStatus(level, { messages: [`volume ${spec.name} is ${actualState}`], diffs });
      }
      const drift = this.#compare(volume);
      if (drift.length === 0) return makeStatus(StatusLevel.NoChange, { messages: [`volume ${spec.name} is present`], diffs });
      if (!spec.force) {
        return makeStatus(StatusLevel.NoChange, {
          messages: [`volume ${spec.name} is present`],
          diffs,
          warning: driftWarning(`volume ${spec.name}`, drift),
        });
      }
      return makeStatus(StatusLevel.WillChange, {
        messages: [`volume ${spec.name} will be recreated`],
        diffs: { ...diffs, ...driftDiffs(drift) },
      });
    } catch (error) {
      return dockerFailure(error);
    }
  }

  async apply(_ctx: RunContext): Promise<ResourceStatus> {
    const spec = this.#spec;
    const messages: string[] = [];
    try {
      const volume = await this.#inspect();
      const before: State = volume === undefined ? 'absent' : 'present';
      if (volume !== undefined && (spec.state === 'absent' || (spec.force && this.#compare(volume).length > 0))) {
        await this.#engine.call(`remove volume ${spec.name}`, (api) => api.getVolume(spec.name).remove());
        messages.push(`removed volume ${spec.name}`);
      }
      if (spec.state === 'present' && (volume === undefined || messages.length > 0)) {
        await this.#engine.call(`create volume ${spec.name}`, (api) =>
          api.createVolume({ Name: spec.name, Driver: spec.driver, DriverOpts: { ...spec.options }, Labels: { ...spec.labels } }),
        );
        messages.push(`created volume ${spec.name}`);
      }
      const level = messages.length > 0 ? StatusLevel.WillChange : StatusLevel.NoChange;
      return makeStatus(level, { messages, diffs: { [spec.name]: textDiff(before, spec.state) } });
    } catch (error) {
      return dockerFailure(error, messages);
    }
  }

  exported(): Readonly<Record<string, unknown>> {
    const spec = this.#spec;
    return {
      name: spec.name,
      driver: spec.driver,
      labels: { ...spec.labels },
      options: { ...spec.options },
      state: spec.state,
      force: spec.force,
      mountpoint: this.#found?.Mountpoint ?? '',
    };
  }
}

export const dockerVolume: ResourceDefinition = {
  kind: 'docker.volume',
  doc: 'A named volume in the Docker engine named by DOCKER_HOST, present or absent. Without force only its existence is managed; with force a volume whose labels, driver or options differ is recreated.',
  fields: [
    { name: 'name', type: 'string', required: true, nonempty: true, doc: 'Name of the volume.' },
    { name: 'driver', type: 'string', default: 'local', doc: 'Volume driver. Default: local.' },
    { name: 'labels', type: 'stringMap', doc: 'Labels to set on the volume.' },
    { name: 'options', type: 'stringMap', doc: 'Driver-specific options.' },
    {
      name: 'state',
      type: 'string',
      validValues: ['present', 'absent'],
      default: 'present',
      doc: 'Whether the volume should exist. Default: present.',
    },
    {
      name: 'force',
      type: 'bool',
      default: false,
      doc: 'Recreate the volume when it differs from the module; by default only its existence is checked.',
    },
  ],
  exports: ['name', 'driver', 'labels', 'options', 'state', 'force', 'mountpoint'],
  prepare(fields: DecodedFields, _ctx: PrepareContext): Task {
    return new DockerVolume(dockerEngine(), {
      name: String(fields['name']),
      driver: typeof fields['driver'] === 'string' && fields['driver'] !== '' ? fields['driver'] : 'local',
      labels: (fields['labels'] as Record<string, string> | undefined) ?? {},
      options: (fields['options'] as Record<string, string> | undefined) ?? {},
      state: fields['state'] === 'absent' ? 'absent' : 'present',
      force: fields['force'] === true,
    });
  },
};
