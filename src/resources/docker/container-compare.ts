/**
 * How `docker.container` compares a live container with the module: the fields the original compared,
 * each reduced to a display string, with the normalisations an engine needs so that a container just
 * created from the module compares equal to it (engine-chosen host ports, injected variables, podman's
 * bind options and network mode).
 */
import type Docker from 'dockerode';
import { joinSorted } from './client.js';
import type { FieldComparison } from './drift.js';
import { normalizeImageRef } from './image.js';

/** What the module asks of a container, after decoding. */
export interface ContainerSpec {
  readonly name: string;
  readonly image: string;
  readonly entrypoint: readonly string[];
  readonly command: readonly string[];
  readonly workingDir: string;
  /** `KEY=value`, sorted by key. */
  readonly env: readonly string[];
  readonly expose: readonly string[];
  readonly links: readonly string[];
  readonly ports: readonly string[];
  readonly dns: readonly string[];
  readonly networkMode: string;
  readonly networks: readonly string[];
  readonly volumes: readonly string[];
  readonly volumesFrom: readonly string[];
  readonly publishAllPorts: boolean;
  readonly status: 'running' | 'created';
  readonly force: boolean;
}

/** The image fields that default a container's. */
export interface ImageDefaults {
  readonly repoTags: readonly string[];
  readonly cmd: readonly string[];
  readonly entrypoint: readonly string[];
  readonly workingDir: string;
  readonly env: readonly string[];
  readonly exposed: readonly string[];
  readonly volumes: readonly string[];
}

export const DEFAULT_NETWORK_MODE = 'default';

/** Variables an engine adds by itself (the original knew the proxy ones; podman adds the rest). */
const ENGINE_ENV = ['https_proxy', 'http_proxy', 'no_proxy', 'ftp_proxy', 'hostname', 'home', 'term', 'container', 'path'];
/** Networks that come with the engine; a container's membership of them is not compared. */
const BUILTIN_NETWORKS = ['default', 'bridge', 'host', 'none', 'container', 'podman'];

/** `80` → `80/tcp`: a port with its protocol, tcp when none is given. */
export function portKey(port: string): string {
  const [number = '', proto = ''] = port.trim().split('/');
  return `${number}/${proto === '' ? 'tcp' : proto.toLowerCase()}`;
}

export interface PortBinding {
  readonly ip: string;
  readonly hostPort: string;
  /** `8080/tcp`. */
  readonly containerPort: string;
}

/** Parses `ip:hostPort:containerPort`, `ip::containerPort`, `hostPort:containerPort` or `containerPort`. */
export function parsePortBinding(mapping: string): PortBinding {
  const parts = mapping.split(':');
  if (parts.length === 1) return { ip: '', hostPort: '', containerPort: portKey(parts[0]!) };
  if (parts.length === 2) return { ip: '', hostPort: parts[0]!, containerPort: portKey(parts[1]!) };
  return { ip: parts[0]!, hostPort: parts[1]!, containerPort: portKey(parts[2]!) };
}

/** The engine's PortBindings map for the `ports` field. */
export function portBindingMap(ports: readonly string[]): Record<string, { HostIp: string; HostPort: string }[]> {
  const map: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const binding of ports.map(parsePortBinding)) {
    (map[binding.containerPort] ??= []).push({ HostIp: binding.ip, HostPort: binding.hostPort });
  }
  return map;
}

/** Ports to expose: `expose` plus every published container port (the docker CLI adds those too). */
export function exposedPorts(spec: Pick<ContainerSpec, 'expose' | 'ports'>): string[] {
  return [...new Set([...spec.expose.map(portKey), ...spec.ports.map((p) => parsePortBinding(p).containerPort)])];
}

export interface VolumeEntry {
  /** Empty for an anonymous volume. */
  readonly source: string;
  readonly destination: string;
  /** `ro` or empty. */
  readonly mode: string;
}

/** `/data` (anonymous), `name:/data` or `/host:/data[:ro]` (a bind). */
export function parseVolume(entry: string): VolumeEntry {
  const parts = entry.split(':');
  if (parts.length === 1) return { source: '', destination: parts[0]!, mode: '' };
  const options = (parts[2] ?? '').split(',');
  return { source: parts[0]!, destination: parts[1]!, mode: options.includes('ro') ? 'ro' : '' };
}

function volumeText(v: VolumeEntry): string {
  if (v.source === '') return v.destination;
  return v.mode === '' ? `${v.source}:${v.destination}` : `${v.source}:${v.destination}:${v.mode}`;
}

/** Anonymous volume destinations and binds for the create request. */
export function volumeConfig(volumes: readonly string[]): { anonymous: string[]; binds: string[] } {
  const entries = volumes.map(parseVolume);
  return {
    anonymous: entries.filter((v) => v.source === '').map((v) => v.destination),
    binds: entries.filter((v) => v.source !== '').map((v) => volumes[entries.indexOf(v)]!),
  };
}

function normalizeLink(link: string): string {
  // Engines store links as `/other:/self/alias`.
  const parts = link.split(':');
  if (parts.length === 1) return link.replace(/^\//, '');
  let name: string;
  let alias: string;
  if (parts[0]!.startsWith('/')) {
    name = parts[0]!.slice(1);
    alias = parts[1]!.split('/').pop() ?? '';
  } else {
    name = parts[0]!;
    alias = parts[1]!;
  }
  return name.toLowerCase() === alias.toLowerCase() ? name : `${name}:${alias}`;
}

function envName(variable: string): string {
  return (variable.split('=')[0] ?? '').toLowerCase();
}

/** The mode the container is created with: `network_mode`, else the first of `networks`. */
export function effectiveNetworkMode(spec: Pick<ContainerSpec, 'networkMode' | 'networks'>): string {
  if (spec.networkMode !== '') return spec.networkMode;
  return spec.networks[0] ?? DEFAULT_NETWORK_MODE;
}

function sameNetworkMode(mode: string): string {
  return mode === '' || mode === 'bridge' ? DEFAULT_NETWORK_MODE : mode;
}

/** Whether an image reference names the same image as a repo tag (`busybox` is `busybox:latest`). */
export function sameImage(wanted: string, repoTag: string): boolean {
  const withTag = /[:@][^/]*$/.test(wanted) ? wanted : `${wanted}:latest`;
  return normalizeImageRef(withTag) === normalizeImageRef(repoTag);
}

/** Status the module wants versus what the container is in; `created` means "not running". */
export function statusSatisfied(wanted: ContainerSpec['status'], actual: string): boolean {
  const running = actual.toLowerCase() === 'running';
  return wanted === 'running' ? running : !running;
}

/**
 * Every compared field except `status`, which start and stop settle without recreating. Only the
 * comparisons that differ matter to callers, but all are returned for tests and messages.
 */
export function compareContainer(
  spec: ContainerSpec,
  container: Docker.ContainerInspectInfo,
  image: ImageDefaults,
): FieldComparison[] {
  const config = container.Config;
  const host = container.HostConfig as Docker.HostConfig | undefined;
  const out: FieldComparison[] = [];
  const add = (field: string, actual: string, expected: string, fallback = ''): void => {
    out.push({ field, actual, expected, fallback });
  };

  const matching = image.repoTags.find((tag) => sameImage(spec.image, tag));
  add('image', matching === undefined ? (image.repoTags[0] ?? container.Image) : spec.image, spec.image);

  const overridesEntrypoint = spec.entrypoint.length > 0;
  add('entrypoint', words(config.Entrypoint), (overridesEntrypoint ? spec.entrypoint : image.entrypoint).join(' '));
  // A new entrypoint drops the image's command, as engines do.
  const defaultCommand = overridesEntrypoint ? [] : image.cmd;
  add('command', words(config.Cmd), (spec.command.length > 0 ? spec.command : defaultCommand).join(' '));
  const workDir = (dir: string): string => (dir === '' ? '/' : dir);
  add('working_dir', workDir(config.WorkingDir ?? ''), workDir(spec.workingDir !== '' ? spec.workingDir : image.workingDir));

  // Variables the image or the engine put there are not compared unless the module sets them.
  const wantedNames = new Set(spec.env.map(envName));
  const ignored = new Set([...image.env.map(envName), ...ENGINE_ENV]);
  const compared = (name: string): boolean => wantedNames.has(name) || !ignored.has(name);
  add(
    'env',
    joinSorted((config.Env ?? []).filter((v) => compared(envName(v))), ' '),
    joinSorted(spec.env, ' '),
  );

  add('expose', joinSorted(Object.keys(config.ExposedPorts ?? {}).map(portKey)), joinSorted([...exposedPorts(spec), ...image.exposed.map(portKey)]));
  add('ports', portsText(host?.PortBindings, spec.ports), joinSorted(spec.ports.map(bindingText)));
  add('dns', (host?.Dns ?? []).join(', '), spec.dns.join(', '));
  add('links', joinSorted((host?.Links ?? []).map(normalizeLink)), joinSorted(spec.links.map(normalizeLink)));

  const mode = effectiveNetworkMode(spec);
  const joined = Object.keys(container.NetworkSettings?.Networks ?? {});
  let actualMode = sameNetworkMode(host?.NetworkMode ?? '');
  // Podman reports `bridge` for a container created on a user network; its membership tells.
  if (actualMode === DEFAULT_NETWORK_MODE && sameNetworkMode(mode) !== DEFAULT_NETWORK_MODE && joined.includes(mode)) {
    actualMode = mode;
  }
  add('network_mode', actualMode, sameNetworkMode(mode), DEFAULT_NETWORK_MODE);
  const userNetworks = (names: readonly string[]): string =>
    joinSorted(names.filter((n) => n !== mode && !BUILTIN_NETWORKS.includes(n.toLowerCase())));
  add('networks', userNetworks(joined), userNetworks(spec.networks));

  add('volumes', volumesText(container, host), joinSorted([...spec.volumes.map((v) => volumeText(parseVolume(v))), ...imageVolumes(spec, image)]));
  add('volumes_from', (host?.VolumesFrom ?? []).join(', '), spec.volumesFrom.join(', '));
  add('publish_all_ports', String(host?.PublishAllPorts ?? false), String(spec.publishAllPorts), 'false');
  return out;
}

/** A command line as the engine stores it (a list, or a string from old engines) joined by spaces. */
function words(value: string | readonly string[] | null | undefined): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : value.join(' ');
}

function bindingText(mapping: string): string {
  const b = parsePortBinding(mapping);
  return `${b.ip}:${b.hostPort}:${b.containerPort}`;
}

/**
 * The container's bindings as text. Where the module left the host port (or address) to the engine,
 * the one the engine picked is not a difference (the original saw one, forever).
 */
function portsText(
  bindings: Docker.HostConfig['PortBindings'] | undefined,
  wanted: readonly string[],
): string {
  const parsed = wanted.map(parsePortBinding);
  const anyHostPort = new Set(parsed.filter((b) => b.hostPort === '').map((b) => b.containerPort));
  const texts: string[] = [];
  for (const [port, list] of Object.entries((bindings ?? {}) as Record<string, { HostIp?: string; HostPort?: string }[] | null>)) {
    const cport = portKey(port);
    for (const binding of list ?? []) {
      // Engines report "any address" either as empty or as the wildcard.
      const ip = binding.HostIp === '0.0.0.0' || binding.HostIp === '::' ? '' : (binding.HostIp ?? '');
      const hostPort = anyHostPort.has(cport) ? '' : (binding.HostPort ?? '').split('/')[0]!;
      texts.push(`${ip}:${hostPort}:${cport}`);
    }
  }
  return joinSorted(texts);
}

function imageVolumes(spec: ContainerSpec, image: ImageDefaults): string[] {
  const bound = new Set(spec.volumes.map((v) => parseVolume(v).destination));
  return image.volumes.filter((dest) => !bound.has(dest));
}

/** Binds as `source:destination[:ro]`, plus anonymous volumes by destination. */
function volumesText(container: Docker.ContainerInspectInfo, host: Docker.HostConfig | undefined): string {
  const binds = (host?.Binds ?? []).map(parseVolume);
  const bound = new Set(binds.map((b) => b.destination));
  const anonymous = (container.Mounts ?? [])
    .filter((m) => m.Type === 'volume' && !bound.has(m.Destination))
    .map((m) => m.Destination);
  const declared = Object.keys((container.Config as { Volumes?: Record<string, unknown> | null }).Volumes ?? {}).filter(
    (dest) => !bound.has(dest),
  );
  return joinSorted([...binds.map(volumeText), ...anonymous, ...declared]);
}
