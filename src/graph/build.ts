/**
 * The load pipeline of one job, in the original's order (docs/architecture.md, "A request"): load the module
 * tree, add dependency and group edges, reject cycles, render every node (deferring those with lookups), then
 * merge duplicates. Any error here aborts the job before a single node runs.
 */
import { ConvergeError, getErrorMessage, positionedError } from '../errors.js';
import type { GraphEdge, GraphVertex, JobSpec } from '../protocol.js';
import type { DecodedFields } from '../resources/types.js';
import { resolveDependencies } from './dependencies.js';
import { defaultGuard, type RunGuard } from './guard.js';
import { stopsRun } from './limits.js';
import { linkGroups } from './groups.js';
import { loadGraph } from './load.js';
import { silentLoading, type LoadingReporter } from './loading-progress.js';
import { mergeDuplicates, stableJson } from './merge.js';
import type { GraphNode, ResourceGraph } from './nodes.js';
import { assertAcyclic } from './order.js';
import type { Prepared } from './pipeline.js';
import { isDeferred, RenderContext } from './render.js';
import { TemplateCache } from './templates.js';

export interface BuiltJob {
  readonly graph: ResourceGraph;
  readonly ctx: RenderContext;
  readonly prepared: Map<string, Prepared>;
  /** Rendered fields of each resource rendered at load time. */
  readonly rendered: Map<string, DecodedFields>;
}

/** Loads, links, renders and merges a job's graph. */
export async function buildJob(
  job: JobSpec,
  signal?: AbortSignal,
  guard: RunGuard = defaultGuard(),
  loading: LoadingReporter = silentLoading(),
): Promise<BuiltJob> {
  const graph = await loadGraph(job, signal, guard, loading);
  loading.nodes = graph.nodes.size;
  const templates = new TemplateCache(guard);
  const index = resolveDependencies(graph, templates);
  guard.check();
  linkGroups(graph);
  assertAcyclic(graph);
  guard.check();
  const ctx = new RenderContext(graph, job, templates, index);
  const prepared = new Map<string, Prepared>();
  const rendered = new Map<string, DecodedFields>();
  for (const node of graph.nodes.values()) {
    if (signal?.aborted === true) throw new ConvergeError('CNV_ERR_JOB_CANCELLED', 'interrupted');
    guard.poll();
    loading.rendered += 1;
    loading.tick();
    try {
      switch (node.kind) {
        case 'root':
        case 'macro.switch':
        case 'macro.case':
          break;
        case 'module':
          ctx.moduleParams(node.id);
          break;
        case 'param':
          ctx.paramValue(node.id);
          break;
        default: {
          try {
            const { fields, task } = await ctx.prepare(node, 'load');
            prepared.set(node.id, { task, deferred: false });
            rendered.set(node.id, fields);
          } catch (error) {
            if (!isDeferred(error)) throw error;
            prepared.set(node.id, { deferred: true });
          }
        }
      }
    } catch (error) {
      throw atNode(error, node);
    }
  }
  if (mergeDuplicates(graph, rendered).length > 0) assertAcyclic(graph);
  return { graph, ctx, prepared, rendered };
}

/** Makes sure a render error names the node's file, line and column. */
function atNode(error: unknown, node: GraphNode): ConvergeError {
  if (stopsRun(error) && error.details?.['file'] === undefined) return error;
  if (error instanceof ConvergeError) {
    if (error.details?.['file'] !== undefined) return error;
    return positionedError(error.code, node.pos, `${node.id}: ${error.message}`, error.details);
  }
  return positionedError('CNV_ERR_FIELD_INVALID', node.pos, `${node.id}: ${getErrorMessage(error)}`, { id: node.id });
}

/**
 * The edge list the original sends in the `edges` header and to `graph`: `source` depends on `dest`,
 * or contains it (attribute `parent`).
 */
export function exportEdges(graph: ResourceGraph): GraphEdge[] {
  const edges: GraphEdge[] = [];
  for (const node of graph.nodes.values()) {
    if (node.parent !== '') edges.push({ source: node.parent, dest: node.id, attributes: ['parent'] });
    for (const dep of graph.deps.get(node.id) ?? []) {
      if (!graph.isHidden(node.id, dep)) edges.push({ source: node.id, dest: dep, attributes: null });
    }
  }
  return edges;
}

/** Vertices for `graph`: id, kind and the node's fields as JSON (rendered when known). */
export function exportVertices(built: BuiltJob): GraphVertex[] {
  const vertices: GraphVertex[] = [];
  for (const node of built.graph.nodes.values()) {
    let details: unknown;
    if (node.kind === 'param') details = { val: built.ctx.paramValue(node.id) };
    else if (node.kind === 'module' || node.kind === 'root') details = { params: built.ctx.moduleParams(node.id) };
    else if (node.kind === 'macro.case') details = { predicate: node.predicate };
    else details = built.rendered.get(node.id) ?? Object.fromEntries(Object.entries(node.fields).map(([k, f]) => [k, f.value]));
    vertices.push({ id: node.id, kind: node.kind, details: stableJson(details) });
  }
  return vertices;
}
