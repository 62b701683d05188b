/**
 * The only owner of piscina. Runs each job on a worker thread and relays the worker's progress
 * messages to one callback, in order. A job that throws, or a worker that dies, fails that job alone.
 */
import { MessageChannel } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Piscina } from 'piscina';
import { assetDir } from '../assets.js';
import { DEFAULT_MAX_RUNNING_NODES, DEFAULT_WORKER_MEMORY_MB } from '../defaults.js';
import { ConvergeError, getErrorMessage, toWire } from '../errors.js';
import type { JobOutcome, JobSpec, PoolToWorkerMessage, WorkerMessage, WorkerPortMessage } from '../protocol.js';
import type { WorkerThreadData } from './run.worker.js';

export interface WorkerPoolOptions {
  /** Worker threads. @default os.availableParallelism() */
  readonly threads?: number;
  /**
   * Jobs one thread runs at once. Jobs mostly wait on child processes, the file system and node slots,
   * so a thread interleaves many; the server sets this so that piscina never queues a job itself.
   * @default 256
   */
  readonly jobsPerThread?: number;
  /**
   * Node checks and applies in flight across all jobs, split evenly over the threads; each thread hands
   * its share out round-robin across its runs (src/graph/node-slots.ts). @default 256
   */
  readonly maxRunningNodes?: number;
  /** Old-generation heap limit of each thread, in MiB; a thread past it fails its jobs. @default 1024 */
  readonly memoryMb?: number;
  /** Absolute path or file URL of the worker entry; only the self-contained binary overrides it. */
  readonly workerFile?: string;
}

const WORKER_POOL_DEFAULTS = {
  threads: Math.max(1, availableParallelism()),
  jobsPerThread: 256,
  memoryMb: DEFAULT_WORKER_MEMORY_MB,
} as const;

/** The job worker entry: an unpacked asset inside the self-contained binary, else the file beside this one. */
function defaultWorkerFile(): string {
  const assets = assetDir();
  return assets === undefined ? new URL('./run.worker.js', import.meta.url).href : path.join(assets, 'run.worker.cjs');
}

export function resolveWorkerPoolOptions(input: WorkerPoolOptions): Readonly<Required<WorkerPoolOptions>> {
  const options = {
    threads: input.threads === undefined || input.threads === 0 ? WORKER_POOL_DEFAULTS.threads : input.threads,
    jobsPerThread: input.jobsPerThread ?? WORKER_POOL_DEFAULTS.jobsPerThread,
    maxRunningNodes: input.maxRunningNodes ?? DEFAULT_MAX_RUNNING_NODES,
    memoryMb: input.memoryMb ?? WORKER_POOL_DEFAULTS.memoryMb,
    workerFile: input.workerFile ?? defaultWorkerFile(),
  };
  for (const name of ['threads', 'jobsPerThread', 'maxRunningNodes', 'memoryMb'] as const) {
    const value = options[name];
    if (!Number.isInteger(value) || value < 1) {
      throw new TypeError(`Expected \`${name}\` to be an integer >= 1, got \`${value}\` (${typeof value})`);
    }
  }
  return Object.freeze(options);
}

export class WorkerPool {
  readonly #piscina: Piscina;
  #closed = false;

  constructor(options: WorkerPoolOptions = {}) {
    const resolved = resolveWorkerPoolOptions(options);
    this.#piscina = new Piscina({
      filename: resolved.workerFile,
      // Every thread from the start: piscina's balancer fills the least busy thread that has room and
      // only starts another when none has, so with many jobs per thread a lazily grown pool would run
      // everything on its first thread.
      minThreads: resolved.threads,
      maxThreads: resolved.threads,
      concurrentTasksPerWorker: resolved.jobsPerThread,
      resourceLimits: { maxOldGenerationSizeMb: resolved.memoryMb },
      workerData: { nodesPerThread: Math.ceil(resolved.maxRunningNodes / resolved.threads) } satisfies WorkerThreadData,
      // Idle threads stay for a while so that back-to-back jobs do not pay thread start-up again.
      idleTimeout: 30_000,
    });
    // piscina emits 'error' for failures outside any task, such as a worker entry that cannot be
    // imported. Unhandled, the event would kill the whole server; ignored, the jobs waiting for a thread
    // would wait forever, because piscina keeps them queued. So every job in flight fails instead.
    this.#piscina.on('error', (error: unknown) => {
      for (const fail of this.#inFlight) fail(error);
    });
  }

  /** One entry per job in run(): fails that job when the pool itself breaks. */
  readonly #inFlight = new Set<(error: unknown) => void>();

  /**
   * Runs one job on a worker thread. `onMessage` gets edges, then batches of events (or, for `graph`
   * jobs, one graph message), all before the returned promise settles. Aborting `signal` asks the job to
   * stop scheduling nodes; nodes already running finish and are reported.
   */
  async run(job: JobSpec, onMessage: (message: WorkerMessage) => void, signal?: AbortSignal): Promise<JobOutcome> {
    if (this.#closed) {
      return { ok: false, error: toWire(new ConvergeError('CNV_ERR_INTERNAL', 'worker pool is closed')) };
    }
    const { port1, port2 } = new MessageChannel();
    let endSeen!: () => void;
    const ended = new Promise<void>((resolve) => {
      endSeen = resolve;
    });
    port1.on('message', (message: WorkerPortMessage) => {
      if (message.type === 'end') endSeen();
      else onMessage(message);
    });
    const cancel = (): void => port1.postMessage({ type: 'cancel' } satisfies PoolToWorkerMessage);
    if (signal?.aborted) cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    let fail!: (error: unknown) => void;
    const poolBroke = new Promise<never>((_, reject) => {
      fail = reject;
    });
    this.#inFlight.add(fail);
    try {
      const task = this.#piscina.run({ job, port: port2 }, { transferList: [port2] }) as Promise<JobOutcome>;
      const outcome = await Promise.race([task, poolBroke]);
      await Promise.race([ended, poolBroke]);
      return outcome;
    } catch (error) {
      // The worker died or could not start: its port will never say `end`.
      return {
        ok: false,
        error: toWire(
          new ConvergeError('CNV_ERR_WORKER_DIED', `job failed: worker thread stopped: ${getErrorMessage(error)}`),
        ),
      };
    } finally {
      this.#inFlight.delete(fail);
      signal?.removeEventListener('abort', cancel);
      port1.close();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#piscina.destroy();
  }
}
