/**
 * Running jobs: plan, apply and healthcheck walks over a built graph, `graph` and `validate`.
 */
import { DEFAULT_PARALLELISM } from '../defaults.js';
import { ConvergeError } from '../errors.js';
import type { GraphEdge, GraphVertex, JobSpec, NodeEvent } from '../protocol.js';
import { buildJob, exportEdges, exportVertices } from './build.js';
import { NodePipeline } from './pipeline.js';
import { walk } from './walk.js';

export { DEFAULT_PARALLELISM };

export interface JobSink {
  /** Once, after load and render, before any event. */
  edges(edges: readonly GraphEdge[]): void;
  /** In order. */
  event(e: NodeEvent): void;
}

/**
 * Runs a plan, apply or healthcheck job. Load and render errors reject with a ConvergeError before
 * any event; node failures are reported in events and never reject. Cancellation stops scheduling new
 * nodes, waits for the running ones, then rejects with CNV_ERR_JOB_CANCELLED.
 */
export async function runJob(job: JobSpec, sink: JobSink, signal: AbortSignal): Promise<{ nodes: number }> {
  const built = await buildJob(job, signal);
  sink.edges(exportEdges(built.graph));
  if (job.kind === 'graph') return { nodes: built.graph.nodes.size };
  const pipeline = new NodePipeline(built.ctx, built.prepared, (event) => sink.event(event), { signal, cwd: job.cwd });
  const parallelism = Number.isInteger(job.parallelism) && job.parallelism > 0 ? job.parallelism : DEFAULT_PARALLELISM;
  const apply = job.kind === 'apply';
  const first = await walk(built.graph, parallelism, signal, (id) => pipeline.visit(id, apply));
  if (first.cancelled) throw cancelled();
  if (job.kind === 'healthcheck') {
    const second = await walk(built.graph, parallelism, signal, (id) => pipeline.visitHealth(id));
    if (second.cancelled) throw cancelled();
  }
  return { nodes: built.graph.nodes.size };
}

/** Loads and builds only (the `graph` command). */
export async function graphJob(job: JobSpec): Promise<{ vertices: GraphVertex[]; edges: GraphEdge[] }> {
  const built = await buildJob(job);
  return { vertices: exportVertices(built), edges: exportEdges(built.graph) };
}

/** Full load, render and field validation without running any check (the `validate` command). */
export async function validateJob(job: JobSpec): Promise<{ nodes: number }> {
  const built = await buildJob(job);
  return { nodes: built.graph.nodes.size };
}

function cancelled(): ConvergeError {
  return new ConvergeError('CNV_ERR_JOB_CANCELLED', 'job cancelled; nodes already running were finished');
}
