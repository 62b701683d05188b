/**
 * `converge server` flags for the run store: where it lives and how long runs are kept. The store is on
 * unless --no-store; `--local` commands never open one (their one run lives and ends with the process).
 */
import path from 'node:path';
import type { RunStoreOptions } from '../store/run-store.js';
import { DEFAULT_STORE_MAX_AGE_MS, DEFAULT_STORE_MAX_BYTES } from '../store/store-defaults.js';
import { defaultStateDir } from '../store/state-dir.js';
import { usageError, type FlagSpec, type FlagValue } from './args.js';
import { parseDurationMs } from './server-guard-flags.js';

const MIB = 1024 * 1024;

export const SERVER_STORE_FLAGS: readonly FlagSpec[] = [
  { name: 'state-dir', type: 'string', valueName: 'dir', description: 'where the run store lives (default /var/lib/converge as root, else $XDG_STATE_HOME/converge or ~/.local/state/converge)' },
  { name: 'no-store', type: 'bool', description: 'keep runs in memory only (no history across restarts)' },
  { name: 'runs-max-age', type: 'string', default: `${DEFAULT_STORE_MAX_AGE_MS / 3_600_000}h`, valueName: 'duration', description: 'stored runs older than this are deleted' },
  { name: 'runs-max-size', type: 'int', default: DEFAULT_STORE_MAX_BYTES / MIB, valueName: 'MiB', description: 'event text kept in the store; the oldest runs go first' },
];

/** The server's store option from the parsed flags; none with --no-store. */
export function storeOptionsFromFlags(flags: Readonly<Record<string, FlagValue>>, cwd: string, env: NodeJS.ProcessEnv): { store?: RunStoreOptions } {
  if (flags['no-store'] === true) return {};
  const given = typeof flags['state-dir'] === 'string' ? flags['state-dir'] : '';
  const maxSize = flags['runs-max-size'];
  if (typeof maxSize !== 'number' || maxSize < 1) throw usageError(`--runs-max-size must be an integer >= 1, got ${String(maxSize)}`);
  const maxAgeMs = parseDurationMs(String(flags['runs-max-age']), 'runs-max-age');
  if (maxAgeMs < 1000) throw usageError(`--runs-max-age must be at least 1s, got ${String(flags['runs-max-age'])}`);
  return { store: { dir: given === '' ? defaultStateDir(env) : path.resolve(cwd, given), maxAgeMs, maxBytes: maxSize * MIB } };
}
