/**
 * Dependency edges, the same three sources as the original's: explicit `depends`, every
 * `param`/`paramList`/`paramMap` call, and every `lookup` target. A case's predicate dependencies also apply
 * to everything in the case, because those nodes resolve the predicate before they run.
 */
import { positionedError } from '../errors.js';
import { isAncestorOrSelf } from './ids.js';
import type { GraphNode, ResourceGraph } from './nodes.js';
import { IdIndex, nearest, resolveLookup } from './resolve.js';
import { findOrigin } from './string-origin.js';
import { stringsIn, type TemplateCache } from './templates.js';

const PARAM_FUNCS = new Set(['param', 'paramList', 'paramMap']);

/** Adds every dependency edge. Throws the first load error (missing target, unknown param, bad lookup). */
export function resolveDependencies(graph: ResourceGraph, templates: TemplateCache): IdIndex {
  const index = new IdIndex(graph);
  for (const node of graph.nodes.values()) {
    templates.poll();
    if (node.kind === 'root') continue;
    for (const entry of node.depends) {
      const target = nearest(graph, node, entry);
      if (target === undefined) {
        throw positionedError('CNV_ERR_GRAPH_MISSING_DEPENDENCY', node.pos, `nonexistent vertices in edges: ${entry}`, {
          id: node.id,
          dependency: entry,
        });
      }
      graph.connect(node.id, target, node.kind === 'module');
    }
    if (node.kind === 'macro.switch') {
      // Branches are evaluated in order: each waits for the one before it.
      for (let i = 1; i < node.children.length; i++) graph.connect(node.children[i]!, node.children[i - 1]!);
    }
    const strings = stringsIn(Object.values(node.fields).map((f) => f.value));
    for (const target of templateDependencies(graph, index, templates, node, strings)) graph.connect(node.id, target);
    if (node.kind === 'macro.case' && node.predicate !== undefined) {
      const targets = templateDependencies(graph, index, templates, node, [node.predicate]);
      const stack = targets.length > 0 ? [node.id] : [];
      while (stack.length > 0) {
        const inner = graph.get(stack.pop()!)!;
        for (const target of targets) graph.connect(inner.id, target);
        stack.push(...inner.children);
      }
    }
  }
  return index;
}

/** Targets of the static param and lookup calls in `strings`, resolved from `node`'s scope. */
function templateDependencies(
  graph: ResourceGraph,
  index: IdIndex,
  templates: TemplateCache,
  node: GraphNode,
  strings: readonly string[],
): string[] {
  const out: string[] = [];
  for (const text of strings) {
    for (const call of templates.calls(text, node.pos, findOrigin(node.origins, text))) {
      const arg = call.args[0];
      if (arg === null || arg === undefined) continue;
      if (PARAM_FUNCS.has(call.name)) {
        const target = nearest(graph, node, `param.${arg}`);
        if (target === undefined) {
          throw positionedError('CNV_ERR_PARAM_UNKNOWN', node.pos, `${node.id}: unknown parameter: param.${arg}`, {
            id: node.id,
            param: arg,
          });
        }
        out.push(target);
      } else if (call.name === 'lookup') {
        const found = resolveLookup(graph, index, node, arg);
        if (!found.ok) {
          throw positionedError('CNV_ERR_GRAPH_LOOKUP', node.pos, `${node.id}: ${found.message}`, { id: node.id, lookup: arg });
        }
        if (isAncestorOrSelf(found.target, node.id)) {
          throw positionedError('CNV_ERR_GRAPH_LOOKUP', node.pos, `${node.id}: ${arg} refers to an ancestor of the node`, {
            id: node.id,
            lookup: arg,
          });
        }
        out.push(found.target);
      }
    }
  }
  return out;
}
