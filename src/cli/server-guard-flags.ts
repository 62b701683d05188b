/**
 * `converge server` flags for the network edge: connection caps and timeouts, the shutdown grace, and
 * the memory kept for finished runs. Listed by the command table; values and units from src/defaults.ts.
 * Times take Go duration syntax (`30s`, `1m30s`, `500ms`), as the original's flags did.
 */
import {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_PEER,
  DEFAULT_RETAIN_RUNS_BYTES,
  DEFAULT_SHUTDOWN_GRACE_MS,
} from '../defaults.js';
import type { ConnectionOptions } from '../frontdoor/server-options.js';
import type { RunRegistryOptions } from '../frontdoor/runs.js';
import { usageError, type FlagSpec, type FlagValue } from './args.js';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go-style duration (`1m30s`); a bare number is seconds. */
export function parseDurationMs(text: string, flag: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  let total = 0;
  const rest = trimmed.replace(/(\d+(?:\.\d+)?)(ms|s|m|h)/g, (_, amount: string, unit: string) => {
    total += Number(amount) * UNIT_MS[unit]!;
    return '';
  });
  if (trimmed === '' || rest !== '') throw usageError(`--${flag} must be a duration such as 30s, 1m30s or 500ms, got "${text}"`);
  return Math.round(total);
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export const SERVER_GUARD_FLAGS: readonly FlagSpec[] = [
  { name: 'max-connections', type: 'int', default: DEFAULT_MAX_CONNECTIONS, valueName: 'n', description: 'open connections in total (lowered to fit ulimit -n)' },
  { name: 'max-connections-per-peer', type: 'int', default: DEFAULT_MAX_CONNECTIONS_PER_PEER, valueName: 'n', description: 'open connections from one peer address' },
  { name: 'handshake-timeout', type: 'string', default: seconds(DEFAULT_HANDSHAKE_TIMEOUT_MS), valueName: 'duration', description: 'time a new connection has for TLS and its first bytes' },
  { name: 'header-timeout', type: 'string', default: seconds(DEFAULT_HEADERS_TIMEOUT_MS), valueName: 'duration', description: "time an HTTP/1.1 request's headers have to arrive" },
  { name: 'idle-timeout', type: 'string', default: seconds(DEFAULT_IDLE_TIMEOUT_MS), valueName: 'duration', description: 'silence after which a connection streaming no job is closed' },
  { name: 'shutdown-grace', type: 'string', default: seconds(DEFAULT_SHUTDOWN_GRACE_MS), valueName: 'duration', description: 'on SIGTERM, time running jobs get to finish; later ones are reported as interrupted' },
  { name: 'retain-runs-memory', type: 'int', default: DEFAULT_RETAIN_RUNS_BYTES / (1024 * 1024), valueName: 'MiB', description: 'memory of events kept for finished runs; the oldest go first' },
];

function atLeast(flags: Readonly<Record<string, FlagValue>>, name: string, min: number): number {
  const value = flags[name];
  if (typeof value !== 'number' || value < min) throw usageError(`--${name} must be an integer >= ${min}, got ${String(value)}`);
  return value;
}

function duration(flags: Readonly<Record<string, FlagValue>>, name: string, min: number): number {
  const ms = parseDurationMs(String(flags[name]), name);
  if (ms < min) throw usageError(`--${name} must be at least ${seconds(min)}, got ${String(flags[name])}`);
  return ms;
}

/** The server's connection, shutdown and retention options from the parsed flags. */
export function guardOptionsFromFlags(flags: Readonly<Record<string, FlagValue>>): {
  connections: ConnectionOptions;
  shutdownGraceMs: number;
  retain: RunRegistryOptions;
} {
  return {
    connections: {
      maxConnections: atLeast(flags, 'max-connections', 1),
      maxConnectionsPerPeer: atLeast(flags, 'max-connections-per-peer', 1),
      handshakeTimeoutMs: duration(flags, 'handshake-timeout', 1),
      headersTimeoutMs: duration(flags, 'header-timeout', 1),
      idleTimeoutMs: duration(flags, 'idle-timeout', 1),
    },
    shutdownGraceMs: duration(flags, 'shutdown-grace', 0),
    retain: { retainBytes: atLeast(flags, 'retain-runs-memory', 1) * 1024 * 1024 },
  };
}
