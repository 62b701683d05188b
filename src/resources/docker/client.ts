/**
 * The Docker Engine API client shared by the docker.* kinds: where the engine is (DOCKER_HOST, as the
 * docker CLI reads it), one dockerode client per endpoint, and errors that name the endpoint so a
 * failed node says which engine it could not reach.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { ConvergeError, getErrorMessage } from '../../errors.js';
import { failedStatus } from '../status.js';
import type { ResourceStatus } from '../types.js';

/** The socket the docker CLI uses when DOCKER_HOST is unset. */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/** Where the engine listens, parsed from DOCKER_HOST. */
export interface DockerEndpoint {
  /** As shown in messages: `unix:///var/run/docker.sock`, `tcp://10.0.0.5:2375`. */
  readonly label: string;
  readonly options: Docker.DockerOptions;
}

/**
 * Reads DOCKER_HOST (`unix:///path`, `tcp://host:port`, or a bare socket path) and, for tcp, the
 * DOCKER_TLS_VERIFY / DOCKER_CERT_PATH pair. Throws CNV_ERR_DOCKER_UNREACHABLE for other schemes.
 */
export function dockerEndpoint(env: NodeJS.ProcessEnv = process.env): DockerEndpoint {
  const host = env['DOCKER_HOST']?.trim() ?? '';
  if (host === '') return { label: `unix://${DEFAULT_DOCKER_SOCKET}`, options: { socketPath: DEFAULT_DOCKER_SOCKET } };
  if (host.startsWith('/')) return { label: `unix://${host}`, options: { socketPath: host } };
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length);
    if (socketPath === '') throw badHost(host, 'no socket path');
    return { label: host, options: { socketPath } };
  }
  if (host.startsWith('tcp://')) {
    let url: URL;
    try {
      url = new URL(`http://${host.slice('tcp://'.length)}`);
    } catch {
      throw badHost(host, 'not a host:port address');
    }
    const tls = env['DOCKER_TLS_VERIFY'] !== undefined && env['DOCKER_TLS_VERIFY'] !== '' && env['DOCKER_TLS_VERIFY'] !== '0';
    const port = url.port === '' ? (tls ? 2376 : 2375) : Number(url.port);
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const options: Docker.DockerOptions = { host: hostname, port, protocol: tls ? 'https' : 'http' };
    if (tls) {
      const certDir = env['DOCKER_CERT_PATH'] ?? path.join(env['HOME'] ?? '', '.docker');
      try {
        Object.assign(options, {
          ca: readFileSync(path.join(certDir, 'ca.pem')),
          cert: readFileSync(path.join(certDir, 'cert.pem')),
          key: readFileSync(path.join(certDir, 'key.pem')),
        });
      } catch (error) {
        throw badHost(host, `cannot read the TLS files in ${certDir}: ${getErrorMessage(error)}`);
      }
    }
    return { label: `tcp://${url.host}`, options };
  }
  throw badHost(host, 'only unix:// and tcp:// endpoints are supported');
}

function badHost(host: string, why: string): ConvergeError {
  return new ConvergeError('CNV_ERR_DOCKER_UNREACHABLE', `invalid DOCKER_HOST ${JSON.stringify(host)}: ${why}`, {
    endpoint: host,
  });
}

/** Socket-level failures: the engine is not there (as opposed to the engine refusing a request). */
const CONNECTION_ERRORS = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EACCES',
  'EPERM',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOTSOCK',
]);

interface EngineError {
  readonly statusCode?: number;
  readonly code?: string;
  readonly reason?: string;
  readonly json?: { readonly message?: string } | null;
  readonly message?: string;
}

/** True when the engine answered 404 (no such container, image, network or volume). */
export function isNotFound(error: unknown): boolean {
  return (error as EngineError | null)?.statusCode === 404;
}

/**
 * A connection to one engine. Every call goes through `call()`, which turns dockerode's errors into
 * ConvergeErrors worded for a node's error line. An engine built from an unusable DOCKER_HOST fails
 * each call with that problem, so the nodes fail at run time like an unreachable engine would.
 */
export class DockerEngine {
  readonly label: string;
  readonly #options: Docker.DockerOptions | undefined;
  readonly #configError: ConvergeError | undefined;
  #api: Promise<Docker> | undefined;

  constructor(endpoint: DockerEndpoint | ConvergeError) {
    if (endpoint instanceof ConvergeError) {
      this.label = String(endpoint.details?.['endpoint'] ?? 'DOCKER_HOST');
      this.#configError = endpoint;
    } else {
      this.label = endpoint.label;
      this.#options = endpoint.options;
    }
  }

  /**
   * The dockerode client; rejects with the DOCKER_HOST problem when there is none. dockerode is loaded
   * on first use: it costs more start-up than the rest of the engine, and most modules have no docker node.
   */
  api(): Promise<Docker> {
    if (this.#options === undefined) return Promise.reject(this.#configError!);
    const options = this.#options;
    this.#api ??= import('dockerode').then(({ default: Dockerode }) => new Dockerode(options));
    return this.#api;
  }

  /**
   * Runs one API request. `action` describes it for the error (`inspect container web`). A 404 is
   * returned as `undefined` when `allowMissing` is set, since "absent" is a state, not a failure.
   */
  async call<T>(action: string, request: (api: Docker) => Promise<T>, allowMissing: true): Promise<T | undefined>;
  async call<T>(action: string, request: (api: Docker) => Promise<T>, allowMissing?: false): Promise<T>;
  async call<T>(action: string, request: (api: Docker) => Promise<T>, allowMissing = false): Promise<T | undefined> {
    try {
      return await request(await this.api());
    } catch (error) {
      if (allowMissing && isNotFound(error)) return undefined;
      throw this.wrap(action, error);
    }
  }

  /** The ConvergeError for a failed request. */
  wrap(action: string, error: unknown): ConvergeError {
    if (error instanceof ConvergeError) return error;
    const err = (error ?? {}) as EngineError;
    if ((error as Error | null)?.name === 'AbortError') {
      return new ConvergeError('CNV_ERR_JOB_CANCELLED', `${action}: cancelled`, { endpoint: this.label });
    }
    if (typeof err.code === 'string' && CONNECTION_ERRORS.has(err.code)) {
      return new ConvergeError(
        'CNV_ERR_DOCKER_UNREACHABLE',
        `cannot reach the Docker engine at ${this.label} (${action}): ${getErrorMessage(error)}`,
        { endpoint: this.label, cause: err.code },
      );
    }
    const detail = err.json?.message ?? err.reason ?? getErrorMessage(error);
    const status = typeof err.statusCode === 'number' ? ` (HTTP ${err.statusCode})` : '';
    return new ConvergeError('CNV_ERR_DOCKER_API', `${action}: ${detail.trim()}${status}`, {
      endpoint: this.label,
      ...(err.statusCode === undefined ? {} : { statusCode: err.statusCode }),
    });
  }
}

const engines = new Map<string, DockerEngine>();

/**
 * The engine for DOCKER_HOST (read now), shared by every docker node of this process. Never throws:
 * a bad DOCKER_HOST surfaces when the node runs.
 */
export function dockerEngine(env: NodeJS.ProcessEnv = process.env): DockerEngine {
  let endpoint: DockerEndpoint | ConvergeError;
  try {
    endpoint = dockerEndpoint(env);
  } catch (error) {
    if (!(error instanceof ConvergeError)) throw error;
    endpoint = error;
  }
  const key = endpoint instanceof ConvergeError ? `invalid:${endpoint.message}` : endpoint.label;
  let engine = engines.get(key);
  if (engine === undefined) {
    engine = new DockerEngine(endpoint);
    engines.set(key, engine);
  }
  return engine;
}

/**
 * The status of a docker node whose request failed: Fatal with the error text, so the node fails and
 * its dependents are skipped while unrelated nodes go on.
 */
export function dockerFailure(error: unknown, messages: readonly string[] = []): ResourceStatus {
  return failedStatus(getErrorMessage(error), { messages });
}

/** Sorted, comma-joined, the form the original compared lists in. */
export function joinSorted(values: Iterable<string>, separator = ', '): string {
  return [...new Set(values)].sort().join(separator);
}

/** `k=v` pairs of a map, sorted and comma-joined. */
export function mapText(map: Readonly<Record<string, string>> | null | undefined): string {
  return joinSorted(Object.entries(map ?? {}).map(([k, v]) => `${k}=${v}`));
}
