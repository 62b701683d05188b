/**
 * `docker.container`: a container that must exist, created from the module, and be
 * running or merely created as `status` says. Start and stop settle the status. When the container's
 * configuration differs from the module, `force` has it removed and created again; without `force`
 * only its existence and status are managed, as in the original, and the plan warns of the difference.
 */
import type Docker from 'dockerode';
import { ConvergeError } from '../../errors.js';
import type { Diff } from '../../protocol.js';
import { dockerEngine, dockerFailure, type DockerEngine } from './client.js';
import {
  compareContainer,
  effectiveNetworkMode,
  exposedPorts,
  portBindingMap,
  statusSatisfied,
  volumeConfig,
  DEFAULT_NETWORK_MODE,
  type ContainerSpec,
  type ImageDefaults,
} from './container-compare.js';
import { drifted, driftDiffs, driftWarning, recreatePlan, type FieldComparison } from './drift.js';
import { makeStatus, textDiff } from '../status.js';
import {
  StatusLevel,
  type DecodedFields,
  type PrepareContext,
  type ResourceDefinition,
  type ResourceStatus,
  type RunContext,
  type Task,
} from '../types.js';

const CONTAINER_MISSING = '<container-missing>';
/** Seconds a container gets to stop on SIGTERM before it is killed (the docker CLI's default). */
const STOP_TIMEOUT_S = 10;

/** What check() found; apply() works from a fresh look, since the engine may have moved on. */
interface Observation {
  readonly container: Docker.ContainerInspectInfo | undefined;
  readonly drift: readonly FieldComparison[];
}

class DockerContainer implements Task {
  readonly #engine: DockerEngine;
  readonly #spec: ContainerSpec;
  #id = '';

  constructor(engine: DockerEngine, spec: ContainerSpec) {
    this.#engine = engine;
    this.#spec = spec;
  }

  async #observe(): Promise<Observation> {
    const { name } = this.#spec;
    const container = await this.#engine.call(`inspect container ${name}`, (api) => api.getContainer(name).inspect(), true);
    this.#id = container?.Id ?? '';
    if (container === undefined) return { container, drift: [] };
    const image = await this.#imageDefaults(container);
    return { container, drift: drifted(compareContainer(this.#spec, container, image)) };
  }

  async #imageDefaults(container: Docker.ContainerInspectInfo): Promise<ImageDefaults> {
    const info = await this.#engine.call(
      `inspect image ${container.Image} of container ${this.#spec.name}`,
      (api) => api.getImage(container.Image).inspect(),
      true,
    );
    if (info === undefined) {
      throw new ConvergeError('CNV_ERR_DOCKER_API', `backing image ${container.Image} of container ${this.#spec.name} is unavailable`);
    }
    const config = (info.Config ?? {}) as Partial<Docker.ImageInspectInfo['Config']>;
    const list = (value: string | string[] | null | undefined): string[] =>
      value === null || value === undefined ? [] : typeof value === 'string' ? [value] : value;
    return {
      repoTags: info.RepoTags ?? [],
      cmd: list(config.Cmd),
      entrypoint: list(config.Entrypoint as string | string[] | undefined),
      workingDir: config.WorkingDir ?? '',
      env: config.Env ?? [],
      exposed: Object.keys(config.ExposedPorts ?? {}),
      volumes: Object.keys(config.Volumes ?? {}),
    };
  }

  async check(_ctx: RunContext): Promise<ResourceStatus> {
    const spec = this.#spec;
    try {
      const { container, drift } = await this.#observe();
      if (container === undefined) {
        return makeStatus(StatusLevel.WillChange, {
          messages: [`container ${spec.name} is missing`],
          diffs: { name: textDiff('', spec.name, CONTAINER_MISSING) },
        });
      }
      const state = container.State.Status;
      const diffs = {
        name: textDiff(container.Name.replace(/^\//, ''), spec.name),
        ...(statusSatisfied(spec.status, state) ? {} : { status: textDiff(state, spec.status) }),
      };
      if (drift.length > 0 && spec.force) return recreatePlan(`container ${spec.name}`, diffs, drift);
      const warning = drift.length > 0 ? driftWarning(`container ${spec.name}`, drift) : undefined;
      const parts = warning === undefined ? {} : { warning };
      if (!statusSatisfied(spec.status, state)) {
        const verb = spec.status === 'running' ? 'started' : 'stopped';
        return makeStatus(StatusLevel.WillChange, { messages: [`container ${spec.name} will be ${verb}`], diffs, ...parts });
      }
      return makeStatus(StatusLevel.NoChange, { messages: [`container ${spec.name} is ${state}`], diffs, ...parts });
    } catch (error) {
      return dockerFailure(error);
    }
  }

  async apply(_ctx: RunContext): Promise<ResourceStatus> {
    const spec = this.#spec;
    const messages: string[] = [];
    try {
      const { container, drift } = await this.#observe();
      const before = container === undefined ? '' : container.State.Status;
      let current = container;
      if (current !== undefined && spec.force && drift.length > 0) {
        // Replaced anyway, so there is no point waiting for a graceful stop.
        await this.#engine.call(`remove container ${spec.name}`, (api) =>
          api.getContainer(current!.Id).remove({ force: true, v: false }),
        );
        messages.push(`removed container ${spec.name}`);
        current = undefined;
      }
      let id = current?.Id;
      let running = current?.State.Running === true;
      if (id === undefined) {
        id = await this.#create();
        messages.push(`created container ${spec.name}`);
        running = false;
      }
      this.#id = id;
      if (spec.status === 'running' && !running) {
        await this.#engine.call(`start container ${spec.name}`, (api) => api.getContainer(id).start());
        messages.push(`started container ${spec.name}`);
      } else if (spec.status === 'created' && running) {
        await this.#engine.call(`stop container ${spec.name}`, (api) => api.getContainer(id).stop({ t: STOP_TIMEOUT_S }));
        messages.push(`stopped container ${spec.name}`);
      }
      const level = messages.length > 0 ? StatusLevel.WillChange : StatusLevel.NoChange;
      const diffs: Record<string, Diff> =
        container === undefined
          ? { name: textDiff('', spec.name, CONTAINER_MISSING) }
          : { status: textDiff(before, spec.status), ...(spec.force ? driftDiffs(drift) : {}) };
      return makeStatus(level, { messages, diffs });
    } catch (error) {
      return dockerFailure(error, messages);
    }
  }

  /** Creates the container from the module and joins its extra networks; returns its ID. */
  async #create(): Promise<string> {
    const spec = this.#spec;
    const { anonymous, binds } = volumeConfig(spec.volumes);
    const mode = effectiveNetworkMode(spec);
    const userMode = mode !== DEFAULT_NETWORK_MODE && spec.networks.includes(mode);
    const body: Docker.ContainerCreateOptions = {
      name: spec.name,
      Image: spec.image,
      Env: [...spec.env],
      ExposedPorts: Object.fromEntries(exposedPorts(spec).map((port) => [port, {}])),
      ...(spec.workingDir === '' ? {} : { WorkingDir: spec.workingDir }),
      ...(spec.command.length === 0 ? {} : { Cmd: [...spec.command] }),
      ...(spec.entrypoint.length === 0 ? {} : { Entrypoint: [...spec.entrypoint] }),
      ...(anonymous.length === 0 ? {} : { Volumes: Object.fromEntries(anonymous.map((dest) => [dest, {}])) }),
      HostConfig: {
        PublishAllPorts: spec.publishAllPorts,
        Links: [...spec.links],
        Dns: [...spec.dns],
        PortBindings: portBindingMap(spec.ports),
        Binds: binds,
        VolumesFrom: [...spec.volumesFrom],
        ...(mode === DEFAULT_NETWORK_MODE ? {} : { NetworkMode: mode }),
      },
      ...(userMode ? { NetworkingConfig: { EndpointsConfig: { [mode]: {} } } } : {}),
    };
    const created = await this.#engine.call(`create container ${spec.name}`, (api) => api.createContainer(body));
    for (const network of spec.networks.filter((n) => n !== mode)) {
      await this.#engine.call(`connect container ${spec.name} to network ${network}`, (api) =>
        api.getNetwork(network).connect({ Container: created.id }),
      );
    }
    return created.id;
  }

  exported(): Readonly<Record<string, unknown>> {
    const spec = this.#spec;
    return {
      id: this.#id,
      name: spec.name,
      image: spec.image,
      entrypoint: [...spec.entrypoint],
      command: [...spec.command],
      workingdir: spec.workingDir,
      env: [...spec.env],
      expose: [...spec.expose],
      links: [...spec.links],
      portbindings: [...spec.ports],
      dns: [...spec.dns],
      volumes: [...spec.volumes],
      volumesfrom: [...spec.volumesFrom],
      publishallports: spec.publishAllPorts,
      networkmode: spec.networkMode,
      networks: [...spec.networks],
      status: spec.status,
      force: spec.force,
    };
  }
}

const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

export const dockerContainer: ResourceDefinition = {
  kind: 'docker.container',
  doc: 'A container in the Docker engine named by DOCKER_HOST, created from the module and kept running or created as status says. With force, a container whose configuration differs from the module is recreated.',
  fields: [
    { name: 'name', type: 'string', required: true, nonempty: true, doc: 'Name of the container.' },
    { name: 'image', type: 'string', required: true, nonempty: true, doc: 'Image name or ID to create the container from.' },
    { name: 'entrypoint', type: 'stringList', doc: "Overrides the image's entrypoint." },
    { name: 'command', type: 'stringList', doc: "Overrides the image's command." },
    { name: 'working_dir', type: 'string', nonempty: true, doc: 'Overrides the working directory of the container.' },
    { name: 'env', type: 'stringMap', doc: 'Environment variables to set in the container.' },
    { name: 'expose', type: 'stringList', doc: 'Additional ports to expose, as port or port/proto.' },
    { name: 'links', type: 'stringList', doc: 'Links to other containers, each as container_name:alias.' },
    {
      name: 'ports',
      type: 'stringList',
      doc: 'Ports to publish: ip:hostPort:containerPort, ip::containerPort, hostPort:containerPort or containerPort; a port may end in /proto (tcp when omitted).',
    },
    { name: 'dns', type: 'stringList', doc: 'DNS servers for the container to use.' },
    { name: 'network_mode', type: 'string', doc: 'Network mode of the container. Default: default.' },
    { name: 'networks', type: 'stringList', doc: 'Networks to connect the container to.' },
    { name: 'volumes', type: 'stringList', doc: 'Volumes: /path (anonymous), or source:/path[:ro] to bind a volume or host path.' },
    { name: 'volumes_from', type: 'stringList', doc: 'Containers whose volumes are mounted too.' },
    { name: 'publish_all_ports', type: 'bool', default: false, doc: "Publishes all of the container's exposed ports on random host ports." },
    {
      name: 'status',
      type: 'string',
      validValues: ['running', 'created'],
      default: 'running',
      doc: 'Desired status of the container: running or created. Default: running.',
    },
    {
      name: 'force',
      type: 'bool',
      default: false,
      doc: 'Recreate the container when its configuration differs from the module; by default only its existence and status are managed.',
    },
  ],
  exports: [
    'id',
    'name',
    'image',
    'entrypoint',
    'command',
    'workingdir',
    'env',
    'expose',
    'links',
    'portbindings',
    'dns',
    'volumes',
    'volumesfrom',
    'publishallports',
    'networkmode',
    'networks',
    'status',
    'force',
  ],
  prepare(fields: DecodedFields, _ctx: PrepareContext): Task {
    const env = Object.entries((fields['env'] as Record<string, string> | undefined) ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => `${key}=${value}`);
    const status = String(fields['status'] ?? 'running').toLowerCase() === 'created' ? 'created' : 'running';
    return new DockerContainer(dockerEngine(), {
      name: String(fields['name']),
      image: String(fields['image']),
      entrypoint: list(fields['entrypoint']),
      command: list(fields['command']),
      workingDir: typeof fields['working_dir'] === 'string' ? fields['working_dir'] : '',
      env,
      expose: list(fields['expose']),
      links: list(fields['links']),
      ports: list(fields['ports']),
      dns: list(fields['dns']),
      networkMode: typeof fields['network_mode'] === 'string' ? fields['network_mode'] : '',
      networks: list(fields['networks']),
      volumes: list(fields['volumes']),
      volumesFrom: list(fields['volumes_from']),
      publishAllPorts: fields['publish_all_ports'] === true,
      status,
      force: fields['force'] === true,
    });
  },
};
