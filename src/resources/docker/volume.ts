/**
 * `docker.volume`: a named volume that must be present or absent. With `force`, a
 * present volume whose labels, driver or options differ is removed and created again.
 */
import type Docker from 'dockerode';
import { dockerEngine, dockerFailure, mapText, type DockerEngine } from './client.js';
import { drifted, type FieldComparison } from './drift.js';
import {
  applyPresence,
  planPresence,
  presenceFields,
  presenceSettings,
  type PresenceTarget,
} from './presence.js';
import type { PresenceState } from '../state-field.js';
import {
  type DecodedFields,
  type PrepareContext,
  type ResourceDefinition,
  type ResourceStatus,
  type RunContext,
  type Task,
} from '../types.js';

interface VolumeSpec {
  readonly name: string;
  readonly driver: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly options: Readonly<Record<string, string>>;
  readonly state: PresenceState;
  readonly force: boolean;
}

class DockerVolume implements Task {
  readonly #engine: DockerEngine;
  readonly #spec: VolumeSpec;
  readonly #target: PresenceTarget<Docker.VolumeInspectInfo>;
  #found: Docker.VolumeInspectInfo | undefined;

  constructor(engine: DockerEngine, spec: VolumeSpec) {
    this.#engine = engine;
    this.#spec = spec;
    const { name } = spec;
    this.#target = {
      noun: 'volume',
      name,
      state: spec.state,
      force: spec.force,
      inspect: () => this.#inspect(),
      compare: (volume) => this.#compare(volume),
      remove: () => this.#engine.call(`remove volume ${name}`, (api) => api.getVolume(name).remove()),
      create: async () => {
        await this.#engine.call(`create volume ${name}`, (api) =>
          api.createVolume({ Name: name, Driver: spec.driver, DriverOpts: { ...spec.options }, Labels: { ...spec.labels } }),
        );
      },
    };
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
    try {
      this.#found = await this.#inspect();
      return await planPresence(this.#target, this.#found);
    } catch (error) {
      return dockerFailure(error);
    }
  }

  apply(_ctx: RunContext): Promise<ResourceStatus> {
    return applyPresence(this.#target);
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
    ...presenceFields('volume'),
  ],
  exports: ['name', 'driver', 'labels', 'options', 'state', 'force', 'mountpoint'],
  prepare(fields: DecodedFields, _ctx: PrepareContext): Task {
    return new DockerVolume(dockerEngine(), {
      name: String(fields['name']),
      driver: typeof fields['driver'] === 'string' && fields['driver'] !== '' ? fields['driver'] : 'local',
      labels: (fields['labels'] as Record<string, string> | undefined) ?? {},
      options: (fields['options'] as Record<string, string> | undefined) ?? {},
      ...presenceSettings(fields),
    });
  },
};
