/**
 * Name resolution shared by dependency discovery and rendering. A name is looked up among the
 * siblings of the node first, then among the siblings of each ancestor, up to (and including) the
 * children of the node's module: params and lookups never cross a module boundary.
 */
import { childId, parentOf } from './ids.js';
import type { GraphNode, ResourceGraph } from './nodes.js';

/** Scopes searched for `node`, nearest first. */
export function* scopesOf(node: GraphNode): Generator<string> {
  let scope = node.parent;
  while (scope !== '') {
    yield scope;
    if (scope === node.moduleId) return;
    scope = parentOf(scope);
  }
}

/** The nearest node with local id `local` (`task.a`, `param.x`) visible from `node`. */
export function nearest(graph: ResourceGraph, node: GraphNode, local: string): string | undefined {
  for (const scope of scopesOf(node)) {
    const id = childId(scope, local);
    if (graph.has(id)) return id;
  }
  return undefined;
}

/** Case-insensitive id index, built once per graph. */
export class IdIndex {
  readonly #lower = new Map<string, string>();

  constructor(graph: ResourceGraph) {
    for (const id of graph.nodes.keys()) {
      const key = id.toLowerCase();
      if (!this.#lower.has(key)) this.#lower.set(key, id);
    }
  }

  /** Exact id if present, else a case-insensitive match. */
  find(graph: ResourceGraph, id: string): string | undefined {
    if (graph.has(id)) return id;
    const found = this.#lower.get(id.toLowerCase()) ?? id;
    if (graph.has(found)) return found;
    // A node merged away as a duplicate is answered by the node that replaced it.
    const alias = graph.aliases.get(found);
    return alias !== undefined && graph.has(alias) ? alias : undefined;
  }
}

export type LookupResolution =
  | { readonly ok: true; readonly target: string; readonly path: readonly string[] }
  | { readonly ok: false; readonly message: string };

/**
 * Splits `kind.name.field[.sub]` into the longest node id visible from `node` and the field path.
 * Names match case-insensitively: the original matched lowercase only, which broke its own samples.
 */
export function resolveLookup(graph: ResourceGraph, index: IdIndex, node: GraphNode, ref: string): LookupResolution {
  const parts = ref.split('.');
  for (const scope of scopesOf(node)) {
    for (let cut = parts.length; cut >= 2; cut--) {
      const target = index.find(graph, childId(scope, parts.slice(0, cut).join('.')));
      if (target !== undefined && target !== node.id) return { ok: true, target, path: parts.slice(cut) };
    }
  }
  // Say why: a node with that name exists, but inside another branch of a switch.
  const moduleScope = node.moduleId + '/';
  for (let cut = parts.length; cut >= 2; cut--) {
    const suffix = ('/' + parts.slice(0, cut).join('.')).toLowerCase();
    for (const id of graph.nodes.keys()) {
      if (id.startsWith(moduleScope) && id.toLowerCase().endsWith(suffix) && id !== node.id) {
        const below = id.slice(moduleScope.length);
        if (!below.slice(0, below.length - suffix.length + 1).includes('module.')) {
          return { ok: false, message: `${ref}: cannot resolve inner-branch node at ${id}` };
        }
      }
    }
  }
  return { ok: false, message: `${ref} does not resolve to a valid node` };
}

/** Reads a field path from exported fields, matching keys case-insensitively. */
export function readExported(exported: unknown, path: readonly string[]): { found: boolean; value: unknown } {
  let value: unknown = exported;
  for (const part of path) {
    if (typeof value !== 'object' || value === null) return { found: false, value: undefined };
    const record = value as Record<string, unknown>;
    if (Object.hasOwn(record, part)) {
      value = record[part];
      continue;
    }
    const lower = part.toLowerCase();
    const key = Object.keys(record).find((k) => k.toLowerCase() === lower);
    if (key === undefined) return { found: false, value: undefined };
    value = record[key];
  }
  return { found: true, value };
}
