/**
 * Where a job runs. Commands talk to a JobRunner and never to a transport, so switching how `--local`
 * works, or adding one, is a change in this file only.
 */
import type { JobOutcome, JobSpec, WorkerMessage } from '../protocol.js';
import type { Logger } from './log.js';

export interface JobRunner {
  /**
   * Runs one job. `onMessage` gets the edges, then events (or, for graph jobs, the graph) in order, all
   * before the promise settles. Aborting `signal` stops scheduling new nodes.
   */
  run(job: JobSpec, onMessage: (message: WorkerMessage) => void, signal: AbortSignal): Promise<JobOutcome>;
  close(): Promise<void>;
}

export interface RunnerOptions {
  readonly local: boolean;
  readonly localAddr: string;
  readonly rpcAddr: string;
  readonly rpcToken: string;
  readonly noToken: boolean;
  readonly useSsl: boolean;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly log: Logger;
}

/** Runs jobs on the worker pool inside this process. */
async function poolRunner(): Promise<JobRunner> {
  const { WorkerPool } = await import('../workers/pool.js');
  const pool = new WorkerPool();
  return {
    run: (job, onMessage, signal) => pool.run(job, onMessage, signal),
    close: () => pool.close(),
  };
}

/** Opens the runner that the flags ask for. */
export async function openRunner(options: RunnerOptions): Promise<JobRunner> {
  // Until the front door's client lands, every job runs in-process; remote flags are accepted and ignored.
  void options;
  return poolRunner();
}
