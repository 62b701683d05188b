/**
 * Running jobs: plan, apply and healthcheck walks over a built graph, `graph` and `validate`.
 * Every entry point takes the job's limits from its spec and stops when cancelled: `signal` for the
 * asynchronous parts, `interrupted` (the pool's shared flag) for the synchronous loops in between.
 */
import { setMaxListeners } from 'node:events';
import { DEFAULT_PARALLELISM } from '../defaults.js';
import type { GraphEdge, GraphVertex, JobSpec, LoadingProgress, NodeEvent } from '../protocol.js';
import { buildJob, exportEdges, exportVertices } from './build.js';
import { RunGuard } from './guard.js';
import { LoadingReporter, silentLoading } from './loading-progress.js';
import { MAX_TIMER_MS } from './node-time.js';
import { NodePipeline } from './pipeline.js';
import { walk } from './walk.js';

export { DEFAULT_PARALLELISM };

export interface JobSink {
  /** Once, after load and render, before any event. */
  edges(edges: readonly GraphEdge[]): void;
  /** In order. */
  event(e: NodeEvent): void;
  /** Once, before `edges`, when the job asked for `recordSources`. */
  sources?(sources: Record<string, string>): void;
  /** Before `edges`, now and then, while a slow load goes on (loading-progress.ts). */
  loading?(progress: LoadingProgress): void;
}

function loadingFor(sink: Pick<JobSink, 'loading'> | undefined): LoadingReporter {
  const report = sink?.loading;
  return report === undefined ? silentLoading() : new LoadingReporter((progress) => report.call(sink, progress));
}

/** The run's own signal: aborted by the caller's, or at the run's deadline (--run-timeout). */
interface RunScope {
  readonly guard: RunGuard;
  readonly signal: AbortSignal;
  dispose(): void;
}

function startRun(job: JobSpec, signal: AbortSignal | undefined, interrupted: (() => boolean) | undefined): RunScope {
  const controller = new AbortController();
  // Every node in flight (and its script) listens on the run's signal: past 10 the default limit
  // would print a false leak warning.
  setMaxListeners(0, controller.signal);
  const guard = new RunGuard(job.limits, { signal: controller.signal, interrupted });
  const forward = (): void => controller.abort(signal?.reason);
  if (signal?.aborted === true) forward();
  else signal?.addEventListener('abort', forward, { once: true });
  const ms = guard.limits.runTimeoutMs;
  const timer = ms === 0 || ms > MAX_TIMER_MS ? undefined : setTimeout(() => controller.abort(guard.timeoutError()), ms);
  timer?.unref();
  return {
    guard,
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', forward);
    },
  };
}

/**
 * Runs a plan, apply or healthcheck job. Load and render errors reject with a ConvergeError before
 * any event; node failures are reported in events and never reject. Cancellation stops scheduling new
 * nodes, waits for the running ones, then rejects with CNV_ERR_JOB_CANCELLED (CNV_ERR_LIMIT_RUN_TIME
 * past the run's deadline).
 */
export async function runJob(
  job: JobSpec,
  sink: JobSink,
  signal: AbortSignal,
  interrupted?: () => boolean,
): Promise<{ nodes: number }> {
  const run = startRun(job, signal, interrupted);
  const { guard } = run;
  try {
    const built = await buildJob(job, run.signal, guard, loadingFor(sink));
    if (job.recordSources === true) sink.sources?.(Object.fromEntries(built.graph.sources));
    sink.edges(exportEdges(built.graph));
    if (job.kind === 'graph') return { nodes: built.graph.nodes.size };
    const pipeline = new NodePipeline(
      built.ctx,
      built.prepared,
      (event) => sink.event(event),
      { signal: run.signal, cwd: job.cwd, taskOutputBytes: guard.limits.taskOutputBytes },
      guard.limits.nodeTimeoutMs,
    );
    const parallelism = Number.isInteger(job.parallelism) && job.parallelism > 0 ? job.parallelism : DEFAULT_PARALLELISM;
    const apply = job.kind === 'apply';
    const stop = (): boolean => guard.cancelled() || guard.expired();
    try {
      const first = await walk(built.graph, parallelism, run.signal, (id) => pipeline.visit(id, apply), stop);
      if (first.cancelled) throw guard.stopError();
      if (job.kind === 'healthcheck') {
        const second = await walk(built.graph, parallelism, run.signal, (id) => pipeline.visitHealth(id), stop);
        if (second.cancelled) throw guard.stopError();
      }
    } finally {
      pipeline.close();
    }
    return { nodes: built.graph.nodes.size };
  } finally {
    run.dispose();
  }
}

/** Loads and builds only (the `graph` command). */
export async function graphJob(
  job: JobSpec,
  signal?: AbortSignal,
  interrupted?: () => boolean,
  sink?: Pick<JobSink, 'loading'>,
): Promise<{ vertices: GraphVertex[]; edges: GraphEdge[] }> {
  const run = startRun(job, signal, interrupted);
  try {
    const built = await buildJob(job, run.signal, run.guard, loadingFor(sink));
    return { vertices: exportVertices(built), edges: exportEdges(built.graph) };
  } finally {
    run.dispose();
  }
}

/** Full load, render and field validation without running any check (the `validate` command). */
export async function validateJob(job: JobSpec, signal?: AbortSignal): Promise<{ nodes: number }> {
  const run = startRun(job, signal, undefined);
  try {
    const built = await buildJob(job, run.signal, run.guard);
    return { nodes: built.graph.nodes.size };
  } finally {
    run.dispose();
  }
}
