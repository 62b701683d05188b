/**
 * The in-memory resource graph: nodes in a containment tree (root → modules/switches → ...), plus
 * "depends on" edges between them. Parent/child containment is kept on the nodes; `deps` holds only
 * the non-parent edges. Everything is keyed by graph id so that lookups are O(1).
 */
import type { SourcePosition } from '../errors.js';
import type { RawField } from '../resources/types.js';
import { parentOf } from './ids.js';
import type { StringOrigin } from './string-origin.js';

/** Kinds the engine implements itself rather than the resource registry. */
export const STRUCTURAL_KINDS = new Set(['root', 'param', 'module', 'macro.switch', 'macro.case']);

export interface GraphNode {
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  /** '' for root. */
  readonly parent: string;
  readonly children: string[];
  /** The module node (or root) that scopes params and lookups for this node. */
  readonly moduleId: string;
  /** File the node was declared in, as shown in errors. */
  readonly file: string;
  /** URL of that file; module sources resolve against it. */
  readonly url: string;
  readonly pos: SourcePosition;
  /** Resource fields as written, without `depends` and `group`. */
  readonly fields: Record<string, RawField>;
  readonly depends: readonly string[];
  readonly group: string | undefined;
  /** Module calls: the source as written. */
  readonly source: string | undefined;
  /** macro.case: the raw predicate (`true` for default). */
  readonly predicate: string | undefined;
  /** True for nodes inside a switch (the switch itself included). */
  readonly inConditional: boolean;
  /** Where the node's strings were written (fields and case predicate), for template error positions. */
  readonly origins?: readonly StringOrigin[];
  /** Declaration order over the whole load (breadth-first), used to break ties deterministically. */
  readonly order: number;
}

const edgeKey = (from: string, to: string): string => `${from}\u0000${to}`;

export class ResourceGraph {
  readonly nodes = new Map<string, GraphNode>();
  /** id → ids it depends on (not containing); insertion-ordered, no duplicates; absent when none. */
  readonly deps = new Map<string, Set<string>>();
  /**
   * Edges honoured by the walk but not reported in `edges`/`graph`. The original drops a module
   * node's own `depends` from its graph, which lets the module's resources race its prerequisites
   * (its k8sCerts sample exists as a race regression). We keep its reported graph and fix the race.
   */
  readonly #hidden = new Set<string>();
  /** Ids removed by duplicate merging → the node that replaced them (lookups follow these). */
  readonly aliases = new Map<string, string>();
  /** Text of every module file read, by URL (a saved plan carries them). */
  readonly sources = new Map<string, string>();

  add(node: GraphNode): void {
    // Dependency sets are created on first use: most nodes of large graphs have none of their own.
    this.nodes.set(node.id, node);
    if (node.parent !== '') this.nodes.get(node.parent)?.children.push(node.id);
  }

  get(id: string): GraphNode | undefined {
    return this.nodes.get(id);
  }

  has(id: string): boolean {
    return this.nodes.has(id);
  }

  /** `from` depends on `to`. Self-edges are ignored. */
  connect(from: string, to: string, hidden = false): void {
    if (from === to) return;
    let set = this.deps.get(from);
    if (set === undefined) {
      if (!this.nodes.has(from)) return;
      set = new Set();
      this.deps.set(from, set);
    }
    if (hidden) {
      if (!set.has(to)) {
        set.add(to);
        this.#hidden.add(edgeKey(from, to));
      }
      return;
    }
    set.add(to);
    this.#hidden.delete(edgeKey(from, to));
  }

  isHidden(from: string, to: string): boolean {
    return this.#hidden.has(edgeKey(from, to));
  }

  /** Removes a node and its whole subtree, and every edge touching them. */
  removeSubtree(id: string, dependents: Map<string, Set<string>>): void {
    const node = this.nodes.get(id);
    if (node === undefined) return;
    for (const child of [...node.children]) this.removeSubtree(child, dependents);
    for (const dep of this.deps.get(id) ?? []) dependents.get(dep)?.delete(id);
    for (const from of dependents.get(id) ?? []) this.deps.get(from)?.delete(id);
    dependents.delete(id);
    this.deps.delete(id);
    this.nodes.delete(id);
    const parent = this.nodes.get(parentOf(id));
    if (parent !== undefined) {
      const at = parent.children.indexOf(id);
      if (at >= 0) parent.children.splice(at, 1);
    }
  }

  /** id → ids that depend on it (reverse of `deps`). Built on demand: O(V + E). */
  dependents(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const id of this.nodes.keys()) out.set(id, new Set());
    for (const [from, tos] of this.deps) for (const to of tos) out.get(to)?.add(from);
    return out;
  }
}
