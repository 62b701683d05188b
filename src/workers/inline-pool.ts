/**
 * Where the front door runs jobs: WorkerPool (piscina threads) for a server, InlinePool for `--local`.
 *
 * A `--local` command runs one job for one user, and a worker thread is a second Node.js environment:
 * its bootstrap, piscina and a second copy of the engine cost more CPU than a small apply itself (on
 * this project's 2-core machine, about half of `apply --local` of a one-task module), and every event
 * then crosses threads by structured clone. InlinePool runs the engine on the calling thread instead,
 * with the same batching of events. What it gives up: while a synchronous loop holds the thread, Ctrl-C
 * waits for it; the run limits (template steps and output, src/graph/limits.ts) still end a runaway
 * template. A server never uses this pool.
 */
import { toWire } from '../errors.js';
import type { JobOutcome, JobSpec, WorkerMessage } from '../protocol.js';
import type { JobSink } from '../graph/index.js';
import { EventBatcher } from './events.js';

/** What the front door needs of a pool. */
export interface JobPool {
  /**
   * Runs one job. `onMessage` gets edges, then batches of events (or, for `graph` jobs, one graph
   * message), all before the returned promise settles. Aborting `signal` cancels the job.
   */
  run(job: JobSpec, onMessage: (message: WorkerMessage) => void, signal?: AbortSignal): Promise<JobOutcome>;
  close(): Promise<void>;
}

export class InlinePool implements JobPool {
  async run(job: JobSpec, onMessage: (message: WorkerMessage) => void, signal?: AbortSignal): Promise<JobOutcome> {
    const batcher = new EventBatcher({
      postMessage: (message) => {
        if (message.type !== 'end') onMessage(message);
      },
    });
    try {
      const engine = await import('../graph/index.js');
      if (job.kind === 'graph') {
        const { vertices, edges } = await engine.graphJob(job, signal, () => signal?.aborted === true, { loading: (progress) => onMessage({ type: 'loading', progress }) });
        batcher.post({ type: 'graph', vertices, edges });
        return { ok: true, nodes: vertices.length };
      }
      const sink: JobSink = { edges: (edges) => batcher.post({ type: 'edges', edges }), event: (event) => batcher.push(event),
        sources: (sources) => batcher.post({ type: 'sources', sources }),
        loading: (progress) => onMessage({ type: 'loading', progress }),
      };
      const live = signal ?? new AbortController().signal;
      const { nodes } = await engine.runJob(job, sink, live, () => live.aborted);
      return { ok: true, nodes };
    } catch (error) {
      return { ok: false, error: toWire(error) };
    } finally {
      batcher.flush();
    }
  }

  async close(): Promise<void> {}
}
