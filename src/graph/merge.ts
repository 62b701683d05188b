/**
 * Duplicate merging, the last step of a load: resources whose rendered fields are identical are the
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
  // Decoded fields come out in the definition's field order, so plain JSON is a stable key per kind.
  const keys = new Map<string, string>();
  const count = new Map<string, number>();
  for (const node of graph.nodes.values()) {
    if (STRUCTURAL_KINDS.has(node.kind) || node.inConditional) continue;
    const fields = rendered.get(node.id);
    if (fields === undefined) continue;
    const key = `${node.kind}\u0000${JSON.stringify(fields)}`;
    keys.set(node.id, key);
    count.set(key, (count.get(key) ?? 0) + 1);
  }
  const candidates = [...keys].filter(([, key]) => count.get(key)! > 1);
  if (candidates.length === 0) return [];

  const position = finishOrder(graph);
  candidates.sort(([a], [b]) => position.get(a)! - position.get(b)!);
  const first = new Map<string, string>();
  const removed: string[] = [];
  const dependents = graph.dependents();
  for (const [id, key] of candidates) {
    if (!graph.has(id)) continue;
    const kept = first.get(key);
    if (kept === undefined) {
      first.set(key, id);
      continue;
    }
    for (const from of dependents.get(id) ?? []) {
      if (from === kept) continue;
      graph.connect(from, kept, graph.isHidden(from, id));
      dependents.get(kept)?.add(from);
    }
    graph.removeSubtree(id, dependents);
    graph.aliases.set(id, kept);
    removed.push(id);
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
