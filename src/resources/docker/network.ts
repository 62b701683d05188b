/**
 * `docker.network`: a network that must be present or absent. With `force`, a present
 * network whose settings differ is removed and created again.
 */
import type Docker from 'dockerode';
import { dockerEngine, dockerFailure, joinSorted, mapText, type DockerEngine } from './client.js';
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

/** One `ipam_config` block. */
export interface IpamConfig {
  readonly subnet: string;
  readonly gateway: string;
  readonly ipRange: string;
  readonly auxAddresses: Readonly<Record<string, string>>;
}

interface NetworkSpec {
  readonly name: string;
  readonly driver: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly options: Readonly<Record<string, string>>;
  readonly ipamDriver: string;
  readonly ipamConfig: readonly IpamConfig[];
  readonly internal: boolean;
  readonly ipv6: boolean;
  readonly state: PresenceState;
  readonly force: boolean;
}

/**
 * One IPAM block as text. `withGateway` is false when the module left the gateway to the engine: the
 * engine then reports the one it chose, which is no difference (the original saw one, forever).
 */
export function ipamText(config: IpamConfig, withGateway = true): string {
  const parts: string[] = [];
  if (config.subnet !== '') parts.push(`subnet: ${config.subnet}`);
  if (withGateway && config.gateway !== '') parts.push(`gateway: ${config.gateway}`);
  if (config.ipRange !== '') parts.push(`ip_range: ${config.ipRange}`);
  if (Object.keys(config.auxAddresses).length > 0) parts.push(`aux_addresses: [${mapText(config.auxAddresses)}]`);
  return parts.join(', ');
}

interface EngineIpamConfig {
  readonly Subnet?: string;
  readonly Gateway?: string;
  readonly IPRange?: string;
  readonly AuxiliaryAddresses?: Partial<Record<string, string>>;
}

function fromEngine(config: EngineIpamConfig): IpamConfig {
  const aux = Object.entries(config.AuxiliaryAddresses ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
  return {
    subnet: config.Subnet ?? '',
    gateway: config.Gateway ?? '',
    ipRange: config.IPRange ?? '',
    auxAddresses: Object.fromEntries(aux),
  };
}

class DockerNetwork implements Task {
  readonly #engine: DockerEngine;
  readonly #spec: NetworkSpec;
  readonly #target: PresenceTarget<Docker.NetworkInspectInfo>;
  #id = '';

  constructor(engine: DockerEngine, spec: NetworkSpec) {
    this.#engine = engine;
    this.#spec = spec;
    const { name } = spec;
    this.#target = {
      noun: 'network',
      name,
      state: spec.state,
      force: spec.force,
      inspect: () => this.#inspect(),
      compare: (network) => this.#compare(network),
      remove: () => this.#engine.call(`remove network ${name}`, (api) => api.getNetwork(name).remove()),
      create: () => this.#create(),
      obstacles: async (network) => (await this.#gatewaysInUse(network)).map((g) => `gateway ${g} already in use`),
    };
  }

  #inspect(): Promise<Docker.NetworkInspectInfo | undefined> {
    const { name } = this.#spec;
    return this.#engine.call(`inspect network ${name}`, (api) => api.getNetwork(name).inspect(), true);
  }

  #compare(network: Docker.NetworkInspectInfo): FieldComparison[] {
    const spec = this.#spec;
    const comparisons: FieldComparison[] = [
      { field: 'labels', actual: mapText(network.Labels), expected: mapText(spec.labels) },
      { field: 'driver', actual: network.Driver, expected: spec.driver, fallback: 'bridge' },
      { field: 'options', actual: mapText(network.Options), expected: mapText(spec.options) },
      { field: 'internal', actual: String(network.Internal), expected: String(spec.internal), fallback: 'false' },
      { field: 'ipv6', actual: String(network.EnableIPv6), expected: String(spec.ipv6), fallback: 'false' },
      { field: 'ipam_driver', actual: network.IPAM?.Driver ?? '', expected: spec.ipamDriver, fallback: 'default' },
    ];
    const actualConfigs = (network.IPAM?.Config ?? []).map(fromEngine);
    // With no ipam_config the engine picks one subnet itself; that is not a difference.
    if (spec.ipamConfig.length > 0 || actualConfigs.length > 1) {
      const gatewayGiven = new Set(spec.ipamConfig.filter((c) => c.gateway !== '').map((c) => c.subnet));
      comparisons.push({
        field: 'ipam_config',
        actual: joinSorted(actualConfigs.map((c) => ipamText(c, gatewayGiven.has(c.subnet))), '\n'),
        expected: joinSorted(spec.ipamConfig.map((c) => ipamText(c)), '\n'),
      });
    }
    return drifted(comparisons);
  }

  /** The wanted gateways already used by another network; such a network cannot be created. */
  async #gatewaysInUse(own: Docker.NetworkInspectInfo | undefined): Promise<string[]> {
    const wanted = this.#spec.ipamConfig.map((c) => c.gateway.toLowerCase()).filter((g) => g !== '');
    if (wanted.length === 0) return [];
    const networks = await this.#engine.call('list networks', (api) => api.listNetworks());
    const used = new Set(
      networks
        .filter((n) => own === undefined || n.Id !== own.Id)
        .flatMap((n) => (n.IPAM?.Config ?? []).map((c) => (c.Gateway ?? '').toLowerCase())),
    );
    return wanted.filter((g) => used.has(g));
  }

  async check(_ctx: RunContext): Promise<ResourceStatus> {
    try {
      const network = await this.#inspect();
      this.#id = network?.Id ?? '';
      return await planPresence(this.#target, network);
    } catch (error) {
      return dockerFailure(error);
    }
  }

  apply(_ctx: RunContext): Promise<ResourceStatus> {
    return applyPresence(this.#target);
  }

  async #create(): Promise<void> {
    const spec = this.#spec;
    const created = await this.#engine.call(`create network ${spec.name}`, (api) =>
      api.createNetwork({
        Name: spec.name,
        Driver: spec.driver,
        Labels: { ...spec.labels },
        Options: { ...spec.options },
        Internal: spec.internal,
        EnableIPv6: spec.ipv6,
        CheckDuplicate: true,
        IPAM: {
          Driver: spec.ipamDriver,
          Config: spec.ipamConfig.map((c) => ({
            Subnet: c.subnet,
            ...(c.gateway === '' ? {} : { Gateway: c.gateway }),
            ...(c.ipRange === '' ? {} : { IPRange: c.ipRange }),
            ...(Object.keys(c.auxAddresses).length === 0 ? {} : { AuxiliaryAddresses: { ...c.auxAddresses } }),
          })),
        },
      }),
    );
    this.#id = created.id ?? '';
  }

  exported(): Readonly<Record<string, unknown>> {
    const spec = this.#spec;
    return {
      name: spec.name,
      id: this.#id,
      driver: spec.driver,
      labels: { ...spec.labels },
      options: { ...spec.options },
      ipamdriver: spec.ipamDriver,
      internal: spec.internal,
      ipv6: spec.ipv6,
      state: spec.state,
      force: spec.force,
    };
  }
}

function ipamConfigs(value: unknown): IpamConfig[] {
  const blocks = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
  return (
    blocks
      .map((block) => {
        const subnet = typeof block['subnet'] === 'string' ? block['subnet'] : '';
        const aux = (block['aux_addresses'] as Record<string, string> | undefined) ?? {};
        // As the original: gateway and ip_range only mean something with a subnet.
        return {
          subnet,
          gateway: subnet !== '' && typeof block['gateway'] === 'string' ? block['gateway'] : '',
          ipRange: subnet !== '' && typeof block['ip_range'] === 'string' ? block['ip_range'] : '',
          auxAddresses: aux,
        };
      })
      // A block with neither a subnet nor aux addresses configures nothing.
      .filter((c) => c.subnet !== '' || Object.keys(c.auxAddresses).length > 0)
  );
}

export const dockerNetwork: ResourceDefinition = {
  kind: 'docker.network',
  doc: 'A network in the Docker engine named by DOCKER_HOST, present or absent. Without force only its existence is managed; with force a network whose settings differ is recreated.',
  fields: [
    { name: 'name', type: 'string', required: true, nonempty: true, doc: 'Name of the network.' },
    { name: 'driver', type: 'string', default: 'bridge', doc: 'Network driver. Default: bridge.' },
    { name: 'labels', type: 'stringMap', doc: 'Labels to set on the network.' },
    { name: 'options', type: 'stringMap', doc: 'Driver-specific options.' },
    { name: 'ipam_driver', type: 'string', default: 'default', doc: 'IP address management driver. Default: default.' },
    {
      name: 'ipam_config',
      type: 'objectList',
      doc: 'Custom IPAM configuration blocks, each with subnet, gateway, ip_range and aux_addresses (a map of name to address).',
      fields: [
        { name: 'subnet', type: 'string', doc: 'Subnet in CIDR form.' },
        { name: 'gateway', type: 'string', doc: 'Gateway for the subnet.' },
        { name: 'ip_range', type: 'string', doc: 'Range (CIDR) that container addresses are allocated from.' },
        { name: 'aux_addresses', type: 'stringMap', doc: 'Auxiliary addresses used by the network driver.' },
      ],
    },
    { name: 'internal', type: 'bool', default: false, doc: 'Restricts external access to the network.' },
    { name: 'ipv6', type: 'bool', default: false, doc: 'Enables IPv6 networking.' },
    ...presenceFields('network'),
  ],
  exports: ['name', 'id', 'driver', 'labels', 'options', 'ipamdriver', 'internal', 'ipv6', 'state', 'force'],
  prepare(fields: DecodedFields, _ctx: PrepareContext): Task {
    const text = (key: string, fallback: string): string =>
      typeof fields[key] === 'string' && fields[key] !== '' ? (fields[key] as string) : fallback;
    return new DockerNetwork(dockerEngine(), {
      name: String(fields['name']),
      driver: text('driver', 'bridge'),
      labels: (fields['labels'] as Record<string, string> | undefined) ?? {},
      options: (fields['options'] as Record<string, string> | undefined) ?? {},
      ipamDriver: text('ipam_driver', 'default'),
      ipamConfig: ipamConfigs(fields['ipam_config']),
      internal: fields['internal'] === true,
      ipv6: fields['ipv6'] === true,
      ...presenceSettings(fields),
    });
  },
};
