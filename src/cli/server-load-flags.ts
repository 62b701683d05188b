/**
 * `converge server` flags for load: the nodes each run checks at once, the worker threads, their memory and how fast a stuck one is
 * replaced, how many jobs and nodes run, how many jobs wait, and how much memory admitted jobs may hold. Kept apart from the command table so that the table only
 * lists them; the values and their units come from src/defaults.ts.
 */
import {
  DEFAULT_CANCEL_GRACE_MS,
  DEFAULT_MAX_QUEUE_MEMORY_MB,
  DEFAULT_MAX_RUNNING_JOBS,
  DEFAULT_MAX_RUNNING_NODES,
  DEFAULT_MAX_WAITING,
  DEFAULT_PARALLELISM,
  DEFAULT_WORKER_MEMORY_MB,
  DEFAULT_WORKER_THREADS,
} from '../defaults.js';
import type { JobQueueOptions } from '../frontdoor/job-queue.js';
import type { WorkerPoolOptions } from '../workers/pool.js';
import { usageError, type FlagSpec, type FlagValue } from './args.js';

export const SERVER_LOAD_FLAGS: readonly FlagSpec[] = [
  { name: 'parallelism', type: 'int', default: DEFAULT_PARALLELISM, valueName: 'n', description: "nodes checked or applied at once in each run (clients' --parallelism does not reach a remote server)" },
  { name: 'worker-threads', type: 'int', default: DEFAULT_WORKER_THREADS, valueName: 'n', description: 'worker threads that run jobs (0: one per available core)' },
  { name: 'worker-memory', type: 'int', default: DEFAULT_WORKER_MEMORY_MB, valueName: 'MiB', description: "heap of each worker thread; a thread past it fails only its own jobs" },
  { name: 'cancel-grace', type: 'int', default: DEFAULT_CANCEL_GRACE_MS, valueName: 'ms', description: 'time a cancelled job may take to stop before its worker thread, if stuck, is replaced' },
  { name: 'max-running-jobs', type: 'int', default: DEFAULT_MAX_RUNNING_JOBS, valueName: 'n', description: 'plans, healthchecks and graphs running at once (applies run one at a time)' },
  { name: 'max-running-nodes', type: 'int', default: DEFAULT_MAX_RUNNING_NODES, valueName: 'n', description: 'node checks and applies in flight, shared round-robin across runs (each run also keeps its --parallelism)' },
  { name: 'max-waiting', type: 'int', default: DEFAULT_MAX_WAITING, valueName: 'n', description: 'jobs that may wait to start; past it a job is refused as busy' },
  { name: 'max-queue-memory', type: 'int', default: DEFAULT_MAX_QUEUE_MEMORY_MB, valueName: 'MiB', description: 'estimated memory of all admitted jobs; past it a job is refused as busy' },
];

function positive(flags: Readonly<Record<string, FlagValue>>, name: string, min: number): number {
  const value = flags[name];
  if (typeof value !== 'number' || value < min) throw usageError(`--${name} must be an integer >= ${min}, got ${String(value)}`);
  return value;
}

/** The server's pool and queue options from the parsed flags. */
export function loadOptionsFromFlags(flags: Readonly<Record<string, FlagValue>>): {
  parallelism: number;
  workers: WorkerPoolOptions;
  queue: JobQueueOptions;
} {
  return {
    parallelism: positive(flags, 'parallelism', 1),
    workers: {
      threads: positive(flags, 'worker-threads', 0),
      memoryMb: positive(flags, 'worker-memory', 16),
      maxRunningNodes: positive(flags, 'max-running-nodes', 1),
      cancelGraceMs: positive(flags, 'cancel-grace', 1),
    },
    queue: {
      maxRunning: positive(flags, 'max-running-jobs', 1),
      maxWaiting: positive(flags, 'max-waiting', 0),
      maxMemoryBytes: positive(flags, 'max-queue-memory', 1) * 1024 * 1024,
    },
  };
}
