/**
 * Runs one job inside a piscina worker thread: loads the module, walks the graph, and posts progress
 * on the job's MessagePort. Whatever happens, the port gets `end` last and the job resolves with a
 * JobOutcome; errors cross the thread boundary as WireError because structured clone drops classes.
 */
import { setMaxListeners } from 'node:events';
import { threadId, workerData, type MessagePort } from 'node:worker_threads';
import { graphJob, runJob } from '../graph/index.js';
import { installNodeSlots } from '../graph/node-slots.js';
import { ConvergeError, toWire } from '../errors.js';
import { installExtraCa } from '../extra-ca.js';
import type { JobOutcome, JobSpec, LoadingProgress, PoolToWorkerMessage, WorkerPortMessage } from '../protocol.js';
import { takeClaim, waitingJobs } from './claim.js';
import { EventBatcher } from './events.js';
import { startHeartbeat } from './heartbeat.js';
import { endStretch, stretchMs } from './stretch.js';

/** What the pool gives each thread when it starts. */
export interface WorkerThreadData {
  /** Node slots shared by this thread's jobs. */
  readonly nodesPerThread: number;
  /** The pool's heartbeat table (heartbeat.ts). */
  readonly heartbeat: SharedArrayBuffer;
  /** NODE_EXTRA_CA_CERTS when bin/converge deferred it (src/extra-ca.ts): this thread's TLS must trust it too. */
  readonly extraCaFile?: string;
}

const threadData = workerData as Partial<WorkerThreadData> | null;
if (typeof threadData?.nodesPerThread === 'number') installNodeSlots(threadData.nodesPerThread);
const markBlocked = threadData?.heartbeat instanceof SharedArrayBuffer ? startHeartbeat(threadData.heartbeat) : () => undefined;
if (typeof threadData?.extraCaFile === 'string') installExtraCa(threadData.extraCaFile);


/** What the pool hands a worker for each job. */
export interface WorkerTask {
  readonly job: JobSpec;
  readonly port: MessagePort;
  /** [0]: the main thread sets it on cancel; [1]: this job's threadId, for the pool's backstop. */
  readonly shared?: Int32Array;
  /** The job runs on a thread of its own (it was relocated once); it never gives its thread back. */
  readonly solo?: boolean;
  /** Open, taken or withdrawn (claim.ts): a job the pool withdrew before this thread got to it is dropped. */
  readonly claim?: Int32Array;
  /** The pool's count of jobs sent and not yet taken up by any thread (claim.ts). */
  readonly waiting?: Int32Array;
}

/**
 * A job's result as the pool sees it: the outcome, or a request to run it again on a thread of its own.
 * A job asks for that when, before it has sent anything, it held a thread that other jobs share for
 * RELOCATE_AFTER_MS in one synchronous stretch (a runaway template while loading, or a huge module):
 * the jobs beside it would otherwise wait for it, however long it takes.
 */
export type WorkerOutcome = JobOutcome | { readonly ok: false; readonly relocate: true } | { readonly ok: false; readonly withdrawn: true };

/** Milliseconds one synchronous stretch may hold a shared thread before its job moves away. */
export const RELOCATE_AFTER_MS = 100;

/** Jobs running on this thread now. */
let jobsHere = 0;

/** Thrown from the polling of a job that gives its thread back; the flag, not the error, decides. */
function relocationError(): ConvergeError {
  return new ConvergeError('CNV_ERR_JOB_CANCELLED', 'job moved to a thread of its own');
}

export async function runWorkerTask({ job, port, shared, solo = false, claim, waiting }: WorkerTask): Promise<WorkerOutcome> {
  // Withdrawn means the pool sent it elsewhere meanwhile (its port is already closed).
  if (!takeClaim(claim, waiting)) return { ok: false, withdrawn: true };
  if (shared !== undefined) Atomics.store(shared, 1, threadId);
  const batcher = new EventBatcher(port);
  let relocating = false;
  const self = {};
  const cancelFlag = shared === undefined ? () => false : () => Atomics.load(shared, 0) !== 0;
  const interrupted = (): boolean => {
    if (cancelFlag()) return true;
    if (relocating || stretchMs(self) <= RELOCATE_AFTER_MS) return false;
    // Jobs not yet taken up may be queued behind this one on this thread, unable to say so while it runs.
    if (!solo && (jobsHere > 1 || waitingJobs(waiting) > 0) && !batcher.posted) {
      relocating = true;
      endStretch();
      throw relocationError();
    }
    // Staying: the pool sends new jobs elsewhere from now on, not STUCK_AFTER_MS from now.
    markBlocked();
    return false;
  };
  // Straight to the port, not through the batcher: progress is not output, and a job that has shown
  // only progress may still move to a thread of its own (it starts its load again there).
  const loading = (progress: LoadingProgress): void => port.postMessage({ type: 'loading', progress } satisfies WorkerPortMessage);
  jobsHere += 1;
  const controller = new AbortController();
  // Every running script and wait listens on the job's signal; with --parallelism above 10 the default
  // limit would print a false leak warning.
  setMaxListeners(0, controller.signal);
  port.on('message', (message: PoolToWorkerMessage) => {
    if (message.type === 'cancel') controller.abort(new Error('job cancelled'));
  });
  try {
    if (job.kind === 'graph') {
      // `interrupted` is what the engine's synchronous loops poll: the signal cannot flip while one holds the thread.
      const { vertices, edges } = await graphJob(job, controller.signal, interrupted, { loading });
      batcher.post({ type: 'graph', vertices, edges });
      return { ok: true, nodes: vertices.length };
    }
    const { nodes } = await runJob(
      job,
      {
        edges: (edges) => batcher.post({ type: 'edges', edges }),
        event: (event) => batcher.push(event),
        sources: (sources) => batcher.post({ type: 'sources', sources }),
        loading,
      },
      controller.signal,
      interrupted,
    );
    return { ok: true, nodes };
  } catch (error) {
    // Whatever the error became on its way up (a render error wraps what it catches), the flag says why.
    if (relocating) return { ok: false, relocate: true };
    return { ok: false, error: toWire(error) };
  } finally {
    jobsHere -= 1;
    // A relocated job's port is dropped unread, its next attempt has a channel of its own.
    if (!relocating) batcher.post({ type: 'end' });
    port.close();
  }
}

export default runWorkerTask;
/** The same entry under the name the pool uses for a relocated job, so that its balancer can tell them apart. */
export const solo = runWorkerTask;
