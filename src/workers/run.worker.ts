/**
 * Runs one job inside a piscina worker thread: loads the module, walks the graph, and posts progress
 * on the job's MessagePort. Whatever happens, the port gets `end` last and the job resolves with a
 * JobOutcome; errors cross the thread boundary as WireError because structured clone drops classes.
 */
import { setMaxListeners } from 'node:events';
import { threadId, workerData, type MessagePort } from 'node:worker_threads';
import { graphJob, runJob } from '../graph/index.js';
import { installNodeSlots } from '../graph/node-slots.js';
import { toWire } from '../errors.js';
import { installExtraCa } from '../extra-ca.js';
import type { JobOutcome, JobSpec, PoolToWorkerMessage } from '../protocol.js';
import { EventBatcher } from './events.js';
import { startHeartbeat } from './heartbeat.js';

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
if (threadData?.heartbeat instanceof SharedArrayBuffer) startHeartbeat(threadData.heartbeat);
if (typeof threadData?.extraCaFile === 'string') installExtraCa(threadData.extraCaFile);


/** What the pool hands a worker for each job. */
export interface WorkerTask {
  readonly job: JobSpec;
  readonly port: MessagePort;
  /** [0]: the main thread sets it on cancel; [1]: this job's threadId, for the pool's backstop. */
  readonly shared?: Int32Array;
}

export default async function runWorkerTask({ job, port, shared }: WorkerTask): Promise<JobOutcome> {
  if (shared !== undefined) Atomics.store(shared, 1, threadId);
  const interrupted = shared === undefined ? () => false : () => Atomics.load(shared, 0) !== 0;
  const batcher = new EventBatcher(port);
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
      const { vertices, edges } = await graphJob(job, controller.signal, interrupted);
      batcher.post({ type: 'graph', vertices, edges });
      return { ok: true, nodes: vertices.length };
    }
    const { nodes } = await runJob(
      job,
      {
        edges: (edges) => batcher.post({ type: 'edges', edges }),
        event: (event) => batcher.push(event),
        sources: (sources) => batcher.post({ type: 'sources', sources }),
      },
      controller.signal,
      interrupted,
    );
    return { ok: true, nodes };
  } catch (error) {
    return { ok: false, error: toWire(error) };
  } finally {
    batcher.post({ type: 'end' });
    port.close();
  }
}
