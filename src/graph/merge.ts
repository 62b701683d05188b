/**
 * Duplicate merging (REFERENCE §3.1 step 3): resources whose rendered fields are identical are the
 * same resource, so only the first in execution order (dependencies first, as the original's walk
 * met them) is kept. Edges into a duplicate move to the kept
 * node and the duplicate is removed. Params, modules, the engine's own nodes, nodes inside switches,
 * and nodes rendered late (lookups) are never merged.
 */
import type { DecodedFields } from '../resources/types.js';
import { STRUCTURAL_KINDS, type ResourceGraph } from './nodes.js';
import { finishOrder } from './order.js';

/** Merges duplicates in place; returns the ids removed. */
export function mergeDuplicates(graph: ResourceGraph, rendered: ReadonlyMap<string, DecodedFields>): string[] {
  const first = new Map<string, string>();
  const removed: string[] = [];
  let dependents: Map<string, Set<string>> | undefined;
  const position = finishOrder(graph);
  const nodes = [...graph.nodes.values()].sort((x, y) => position.get(x.id)! - position.get(y.id)!);
  for (const node of nodes) {
    if (!graph.has(node.id) || STRUCTURAL_KINDS.has(node.kind) || node.inConditional) continue;
    const fields = rendered.get(node.id);
    if (fields === undefined) continue;
    const key = `${node.kind}\u0000${stableJson(fields)}`;
    const kept = first.get(key);
    if (kept === undefined) {
      first.set(key, node.id);
      continue;
    }
    dependents ??= graph.dependents();
    for (const from of dependents.get(node.id) ?? []) {
      if (from === kept) continue;
      graph.connect(from, kept, graph.isHidden(from, node.id));
      dependents.get(kept)?.add(from);
    }
    graph.removeSubtree(node.id, dependents);
    graph.aliases.set(node.id, kept);
    removed.push(node.id);
  }
  return removed;
}

/** JSON with object keys sorted, so equal structures give equal text. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Date) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}
