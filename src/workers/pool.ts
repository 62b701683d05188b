/**
 * The only owner of piscina. Runs each job on a worker thread and relays the worker's progress
 * messages to one callback, in order. A job that throws, or a worker that dies, fails that job alone.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Piscina } from 'piscina';
import { assetDir } from '../assets.js';
import { DEFAULT_CANCEL_GRACE_MS, DEFAULT_MAX_RUNNING_NODES, DEFAULT_WORKER_MEMORY_MB } from '../defaults.js';
import { ConvergeError, getErrorMessage, toWire } from '../errors.js';
import { restoreDeferredExtraCa } from '../extra-ca.js';
import type { JobOutcome, JobSpec, PoolToWorkerMessage, WorkerMessage, WorkerPortMessage } from '../protocol.js';
import { createBalancer } from './balancer.js';
import { CLAIM_OPEN, createWaitingCount, openClaim, withdrawClaim } from './claim.js';
import { createHeartbeatTable, ThreadWatch } from './heartbeat.js';
import type { WorkerOutcome, WorkerTask, WorkerThreadData } from './run.worker.js';

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
  /**
   * Milliseconds a cancelled job may take to stop before its thread, if stuck, is replaced.
   * @default 750
   */
  readonly cancelGraceMs?: number;
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
    cancelGraceMs: input.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS,
    workerFile: input.workerFile ?? defaultWorkerFile(),
  };
  for (const name of ['threads', 'jobsPerThread', 'maxRunningNodes', 'memoryMb', 'cancelGraceMs'] as const) {
    const value = options[name];
    if (!Number.isInteger(value) || value < 1) {
      throw new TypeError(`Expected \`${name}\` to be an integer >= 1, got \`${value}\` (${typeof value})`);
    }
  }
  return Object.freeze(options);
}

/** Why a job's thread went away, in words for the job's error. */
function threadLossMessage(error: unknown, memoryMb: number, closed: boolean): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return `job failed: its worker thread ran out of memory (limit ${memoryMb} MiB per thread, raise it with --worker-memory); the other jobs on that thread failed with it`;
  }
  if (getErrorMessage(error) === 'Terminating worker thread') {
    return closed
      ? 'job failed: the server is shutting down'
      : 'job failed: its worker thread was replaced because a cancelled job on it did not stop (see --cancel-grace); run it again';
  }
  return `job failed: worker thread stopped: ${getErrorMessage(error)}`;
}

/** Milliseconds a job may wait to be taken up before the pool looks for a stuck thread holding it. */
const CLAIM_WAIT_MS = 200;
/**
 * Threads the pool may start beside its own when runaways hold them (balancer.ts), at least. Each
 * runaway that is not cancelled keeps one; past the limit, new jobs wait behind the runaways.
 */
const SPARE_THREADS = 4;

/** Passes a job's messages on until its `end`, which the returned promise waits for. */
function relay(port: MessagePort, onMessage: (message: WorkerMessage) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    port.on('message', (message: WorkerPortMessage) => {
      if (message.type === 'end') resolve();
      else onMessage(message);
    });
  });
}

export class WorkerPool {
  readonly #piscina: Piscina;
  readonly #watch: ThreadWatch;
  /** Jobs sent to a thread and not yet taken up (claim.ts). */
  readonly #waiting = createWaitingCount();
  readonly #options: Readonly<Required<WorkerPoolOptions>>;
  readonly #maxThreads: number;
  #closed = false;

  constructor(options: WorkerPoolOptions = {}) {
    const resolved = resolveWorkerPoolOptions(options);
    this.#options = resolved;
    const heartbeat = createHeartbeatTable();
    const extraCaFile = restoreDeferredExtraCa();
    this.#watch = new ThreadWatch(heartbeat, () => this.#piscina.threads.map((thread) => thread.threadId));
    // Spare threads start only when every thread is stuck in a synchronous loop (balancer.ts).
    const maxThreads = resolved.threads + Math.max(SPARE_THREADS, resolved.threads);
    this.#maxThreads = maxThreads;
    this.#piscina = new Piscina({
      filename: resolved.workerFile,
      // Every thread from the start: the balancer fills the least busy thread that has room and only
      // asks for another when none has, so a lazily grown pool would run everything on its first thread.
      minThreads: resolved.threads,
      maxThreads,
      concurrentTasksPerWorker: resolved.jobsPerThread,
      loadBalancer: createBalancer({ jobsPerThread: resolved.jobsPerThread, maxThreads, watch: this.#watch }),
      resourceLimits: { maxOldGenerationSizeMb: resolved.memoryMb },
      workerData: {
        nodesPerThread: Math.ceil(resolved.maxRunningNodes / resolved.threads),
        heartbeat,
        ...(extraCaFile !== undefined ? { extraCaFile } : {}),
      } satisfies WorkerThreadData,
      // piscina's default makes an idle thread block in Atomics.wait, which would freeze the heartbeat (an
      // idle thread would look stuck) and any async work a finished job left behind.
      atomics: 'disabled',
      // Idle spare threads stay for a while so that back-to-back jobs do not pay thread start-up again.
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
   * jobs, one graph message), all before the returned promise settles. Aborting `signal` cancels the
   * job: the worker stops scheduling nodes and its loops see a shared flag. A job that has not ended
   * `cancelGraceMs` later while its thread is stuck gets the thread replaced (see backstop()).
   */
  async run(job: JobSpec, onMessage: (message: WorkerMessage) => void, signal?: AbortSignal): Promise<JobOutcome> {
    if (this.#closed) {
      return { ok: false, error: toWire(new ConvergeError('CNV_ERR_INTERNAL', 'worker pool is closed')) };
    }
    // [0]: set on cancel, read by the job's loops; [1]: the threadId the job runs on, set by the worker.
    const shared = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
    const terminate = new AbortController();
    let settled = false;
    let backstop: NodeJS.Timeout | undefined;
    let port: MessagePort | undefined;
    const cancel = (): void => {
      Atomics.store(shared, 0, 1);
      port?.postMessage({ type: 'cancel' } satisfies PoolToWorkerMessage);
      backstop = this.#backstop(shared, terminate, () => settled);
    };
    if (signal?.aborted) cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    let fail!: (error: unknown) => void;
    const poolBroke = new Promise<never>((_, reject) => {
      fail = reject;
    });
    this.#inFlight.add(fail);
    try {
      // More attempts: a job that gave its shared thread back runs again solo (run.worker.ts), and a job
      // not taken up while some thread is stuck is withdrawn and sent again (#unclaimed).
      let solo = false;
      for (;;) {
        const { port1, port2 } = new MessageChannel();
        port = port1;
        const claim = openClaim();
        Atomics.add(this.#waiting, 0, 1);
        const unclaimed = this.#unclaimed(claim);
        try {
          const ended = relay(port1, onMessage);
          if (Atomics.load(shared, 0) !== 0) port1.postMessage({ type: 'cancel' } satisfies PoolToWorkerMessage);
          const task = this.#piscina.run(
            { job, port: port2, shared, claim, waiting: this.#waiting, solo } satisfies WorkerTask,
            { transferList: [port2], signal: terminate.signal, name: solo ? 'solo' : 'default' },
          ) as Promise<WorkerOutcome>;
          const outcome = await Promise.race([task, poolBroke, unclaimed.withdrawn]);
          if (outcome === 'withdrawn') {
            // The thread that holds it will find it withdrawn and drop it, whenever it gets to it.
            task.catch(() => undefined);
            continue;
          }
          if (!outcome.ok && 'relocate' in outcome) {
            if (solo) return { ok: false, error: toWire(new ConvergeError('CNV_ERR_INTERNAL', 'a job on a thread of its own asked to move again')) };
            solo = true;
            Atomics.store(shared, 1, 0);
            continue;
          }
          if (!outcome.ok && 'withdrawn' in outcome) continue;
          await Promise.race([ended, poolBroke]);
          return outcome;
        } finally {
          unclaimed.stop();
          // A task piscina dropped before any thread took it up (the pool broke, or it was aborted).
          withdrawClaim(claim, this.#waiting);
          port1.close();
        }
      }
    } catch (error) {
      // The worker died, could not start, or was replaced: its port will never say `end`.
      if (terminate.signal.aborted) {
        const grace = this.#options.cancelGraceMs;
        const text = `job cancelled: it did not stop within ${grace} ms, so its worker thread was replaced (--cancel-grace)`;
        return { ok: false, error: toWire(new ConvergeError('CNV_ERR_JOB_CANCELLED', text)) };
      }
      const text = threadLossMessage(error, this.#options.memoryMb, this.#closed);
      return { ok: false, error: toWire(new ConvergeError('CNV_ERR_WORKER_DIED', text)) };
    } finally {
      settled = true;
      if (backstop !== undefined) clearInterval(backstop);
      this.#inFlight.delete(fail);
      signal?.removeEventListener('abort', cancel);
    }
  }

  /**
   * Resolves with 'withdrawn' once a job has waited CLAIM_WAIT_MS without a thread taking it up while
   * some thread is stuck, and the withdrawal won the race with the thread's claim. The likeliest holder
   * is the stuck thread, which would keep it until its runaway ends; sent again, the balancer skips it.
   * When every thread is stuck and no more may start, sending it again would only land it on another
   * stuck thread, so it stays; the check goes on, and moves it once a thread frees up or is replaced.
   */
  #unclaimed(claim: Int32Array): { withdrawn: Promise<'withdrawn'>; stop: () => void } {
    const since = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const withdrawn = new Promise<'withdrawn'>((resolve) => {
      timer = setInterval(() => {
        if (Atomics.load(claim, 0) !== CLAIM_OPEN) {
          clearInterval(timer);
          return;
        }
        if (performance.now() - since < CLAIM_WAIT_MS) return;
        const threads = this.#piscina.threads;
        const stuck = threads.filter((thread) => this.#watch.isStuck(thread.threadId)).length;
        if (stuck === 0 || (stuck === threads.length && threads.length >= this.#maxThreads)) return;
        if (withdrawClaim(claim, this.#waiting)) {
          clearInterval(timer);
          resolve('withdrawn');
        }
      }, 50);
    });
    return { withdrawn, stop: () => clearInterval(timer) };
  }

  /**
   * After the grace, checks until the job ends whether its thread is stuck (or never picked the job
   * up, which a responsive thread does at once); then aborts the piscina task, which terminates that
   * thread, fails the other jobs on it, and starts a fresh one. A thread that still turns its event loop
   * is left alone: its cancelled job is only waiting for running nodes to wind down.
   */
  #backstop(shared: Int32Array, terminate: AbortController, done: () => boolean): NodeJS.Timeout {
    const grace = this.#options.cancelGraceMs;
    const since = performance.now();
    const timer = setInterval(() => {
      if (done() || terminate.signal.aborted) {
        clearInterval(timer);
        return;
      }
      if (performance.now() - since < grace) return;
      const thread = Atomics.load(shared, 1);
      if (thread === 0 || this.#watch.isStuck(thread)) {
        clearInterval(timer);
        terminate.abort(new Error('cancelled job did not stop'));
      }
    }, Math.max(10, Math.min(100, grace / 4)));
    return timer;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watch.close();
    await this.#piscina.destroy();
  }
}
