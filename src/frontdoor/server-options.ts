/**
 * What `startServer` accepts, and the one place its options get their defaults and are checked, in the
 * manner of job-queue.ts's resolveJobQueueOptions: every number is validated with a message naming
 * the option, and the result is frozen.
 */
import {
  DEFAULT_GRPC_KEEPALIVE_TIME_MS,
  DEFAULT_GRPC_KEEPALIVE_TIMEOUT_MS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_KEEPALIVE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_PEER,
  DEFAULT_PARALLELISM,
  DEFAULT_PORT,
  DEFAULT_SHUTDOWN_GRACE_MS,
} from '../defaults.js';
import { resolveRunLimits, type RunLimits } from '../graph/limits.js';
import type { JobPool } from '../workers/inline-pool.js';
import type { WorkerPoolOptions } from '../workers/pool.js';
import type { JobQueueOptions } from './job-queue.js';
import type { Logger } from './logger.js';
import type { PlanSignerOptions } from './plan-signing.js';
import type { RunRegistryOptions } from './runs.js';
import type { Schedule } from './schedule.js';
import type { RunStoreOptions } from '../store/run-store.js';
import type { TlsFiles } from './tls.js';

/** Connection limits and timeouts; every time is in milliseconds. Defaults in src/defaults.ts. */
export interface ConnectionOptions {
  /** Open connections in total (lowered to fit the open-file limit). @default 8192 */
  readonly maxConnections?: number;
  /** Open connections from one peer address. @default 4096 */
  readonly maxConnectionsPerPeer?: number;
  /** TLS handshake and first bytes of a new connection. @default 10_000 */
  readonly handshakeTimeoutMs?: number;
  /** An HTTP/1.1 request's complete headers. @default 20_000 */
  readonly headersTimeoutMs?: number;
  /** An HTTP/1.1 keep-alive connection between requests. @default 5_000 */
  readonly keepAliveTimeoutMs?: number;
  /** No traffic on a connection that streams no job (HTTP/1.1), or an HTTP/2 session with no call. @default 120_000 */
  readonly idleTimeoutMs?: number;
  /** gRPC keepalive ping interval and the wait for its answer. @default 120_000 and 20_000 */
  readonly grpcKeepaliveTimeMs?: number;
  readonly grpcKeepaliveTimeoutMs?: number;
}

export interface ServerOptions {
  /** Interface to listen on. @default '0.0.0.0' */
  readonly host?: string;
  /** TCP port; 0 picks a free one. @default 4774 */
  readonly port?: number;
  /** The RPC token (HS512 key). Without it and without `noToken`, a random one is generated and logged once. */
  readonly token?: string;
  /** Run without authentication. Logged loudly. @default false */
  readonly noToken?: boolean;
  /**
   * File of named client keys (`name key` a line, client-keys.ts). With it and no `token`, no shared
   * token is generated: only named keys are accepted. Not with `noToken`.
   */
  readonly clientKeysFile?: string;
  /** Serve over TLS with these files. */
  readonly tls?: TlsFiles;
  /** Directory to serve modules from; module serving is off without it. */
  readonly root?: string;
  /** Serve the converge executable: true for the running one, or a path. @default false */
  readonly selfServe?: boolean | string;
  /**
   * Load gRPC and HTTP only when the first connection arrives, not before the server starts: for
   * --local, whose own jobs go to the front door directly (transport.ts). @default false
   */
  readonly lazyTransport?: boolean;
  /** A pool to run jobs on; otherwise the server creates (and closes) its own. */
  readonly pool?: JobPool;
  /** The owned pool's threads and their limits (ignored with `pool`). */
  readonly workers?: WorkerPoolOptions;
  readonly queue?: JobQueueOptions;
  readonly logger?: Logger;
  /** Directory that relative module locations resolve against. @default process.cwd() */
  readonly cwd?: string;
  /** Nodes checked or applied at once, per job. @default 16 */
  readonly parallelism?: number;
  readonly connections?: ConnectionOptions;
  /** Milliseconds running jobs get to finish on shutdown(). @default 30_000 */
  readonly shutdownGraceMs?: number;
  /** What finished runs the server keeps (count, events, bytes). */
  readonly retain?: RunRegistryOptions;
  /** Keep every run in a SQLite store in this directory (see src/store/); in memory only without it. */
  readonly store?: RunStoreOptions;
  /** What each run may use (template steps and output, nesting, modules, nodes, time); defaults in src/defaults.ts. */
  readonly limits?: Partial<RunLimits>;
  /**
   * Saved plans: where the plan key lives and how old a plan may be when applied
   * (plan-signing.ts). @default { stateDir: $XDG_STATE_HOME/converge or ~/.local/state/converge, maxAgeMs: 3_600_000 }
   */
  readonly plans?: PlanSignerOptions;
  /**
   * Serve Prometheus metrics at http://host:port/metrics, plain HTTP without authentication
   * (metrics-listener.ts); port 0 picks a free one. Off, and prom-client never loaded, without it.
   */
  readonly metrics?: { readonly host: string; readonly port: number };
  /** Runs the server starts on its own, each every interval (scheduler.ts); recorded with who = "schedule". */
  readonly schedules?: readonly Schedule[];
  /** Start each schedule's first run when the server starts, not one interval later. @default false */
  readonly scheduleAtStart?: boolean;
}

export type ResolvedConnectionOptions = Readonly<Required<ConnectionOptions>>;

export interface ResolvedServerOptions {
  readonly host: string;
  readonly port: number;
  readonly cwd: string;
  readonly parallelism: number;
  readonly connections: ResolvedConnectionOptions;
  readonly shutdownGraceMs: number;
  readonly limits: RunLimits;
}

function integer(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new TypeError(`Expected \`${name}\` to be an integer >= ${min}, got \`${value}\` (${typeof value})`);
  }
  return value;
}

export function resolveConnectionOptions(input: ConnectionOptions = {}): ResolvedConnectionOptions {
  const options = {
    maxConnections: integer('connections.maxConnections', input.maxConnections ?? DEFAULT_MAX_CONNECTIONS, 1),
    maxConnectionsPerPeer: integer(
      'connections.maxConnectionsPerPeer',
      input.maxConnectionsPerPeer ?? DEFAULT_MAX_CONNECTIONS_PER_PEER,
      1,
    ),
    handshakeTimeoutMs: integer('connections.handshakeTimeoutMs', input.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS, 1),
    headersTimeoutMs: integer('connections.headersTimeoutMs', input.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, 1),
    keepAliveTimeoutMs: integer('connections.keepAliveTimeoutMs', input.keepAliveTimeoutMs ?? DEFAULT_KEEPALIVE_TIMEOUT_MS, 1),
    idleTimeoutMs: integer('connections.idleTimeoutMs', input.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, 1),
    grpcKeepaliveTimeMs: integer('connections.grpcKeepaliveTimeMs', input.grpcKeepaliveTimeMs ?? DEFAULT_GRPC_KEEPALIVE_TIME_MS, 1),
    grpcKeepaliveTimeoutMs: integer(
      'connections.grpcKeepaliveTimeoutMs',
      input.grpcKeepaliveTimeoutMs ?? DEFAULT_GRPC_KEEPALIVE_TIMEOUT_MS,
      1,
    ),
  };
  return Object.freeze(options);
}

export function resolveServerOptions(input: ServerOptions = {}): ResolvedServerOptions {
  const host = input.host ?? '0.0.0.0';
  if (typeof host !== 'string') throw new TypeError(`Expected \`host\` to be a string, got \`${typeof host}\``);
  const port = integer('port', input.port ?? DEFAULT_PORT, 0);
  if (port > 65_535) throw new TypeError(`Expected \`port\` to be at most 65535, got \`${port}\``);
  if (input.token !== undefined && typeof input.token !== 'string') throw new TypeError('Expected `token` to be a string');
  return Object.freeze({
    host,
    port,
    cwd: input.cwd ?? process.cwd(),
    parallelism: integer('parallelism', input.parallelism ?? DEFAULT_PARALLELISM, 1),
    connections: resolveConnectionOptions(input.connections),
    shutdownGraceMs: integer('shutdownGraceMs', input.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS, 0),
    limits: resolveRunLimits(input.limits),
  });
}
