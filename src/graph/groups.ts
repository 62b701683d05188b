/**
 * Groups (the original's named locks): the members of one `group` never run at the same time. They are linked
 * into one serial chain. Members in different modules or branches are represented by their
 * ancestors directly under the members' common ancestor (so three calls of a module that uses a group
 * run one after the other), and members sharing a representative are chained inside it first.
 */
import type { ResourceGraph } from './nodes.js';
import { finishOrder } from './order.js';

/** Adds the chain edges of every group. */
export function linkGroups(graph: ResourceGraph): void {
  const byGroup = new Map<string, string[]>();
  for (const node of graph.nodes.values()) {
    if (node.group === undefined) continue;
    const members = byGroup.get(node.group);
    if (members === undefined) byGroup.set(node.group, [node.id]);
    else members.push(node.id);
  }
  const chains = [...byGroup.values()].filter((members) => members.length > 1);
  if (chains.length === 0) return;
  // Chaining in finish order keeps the graph acyclic: every added edge points backwards in an order
  // that already satisfies every other edge.
  const position = finishOrder(graph);
  for (const members of chains) chain(graph, members, position);
}

function chain(graph: ResourceGraph, members: readonly string[], position: Map<string, number>): void {
  const common = commonAncestor(members);
  const reps = new Map<string, string[]>();
  for (const id of members) {
    const rest = id.slice(common.length + 1);
    const cut = rest.indexOf('/');
    const rep = cut < 0 ? id : `${common}/${rest.slice(0, cut)}`;
    const list = reps.get(rep);
    if (list === undefined) reps.set(rep, [id]);
    else list.push(id);
  }
  for (const [rep, inner] of reps) {
    const nested = inner.filter((id) => id !== rep);
    if (nested.length > 1) chain(graph, nested, position);
  }
  const ordered = [...reps.keys()].sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
  const links = batchLinks(graph, ordered, reps);
  for (let i = 1; i < links.length; i++) {
    for (const later of links[i]!) for (const earlier of links[i - 1]!) graph.connect(later, earlier);
  }
}

/**
 * Splits a group's ordered members into the links of its chain. Package nodes of one kind that sit next
 * to each other in the order share a link: they are released together so that the package kind's batch
 * queue turns them into one package-manager transaction, which also keeps them from running at the same
 * time. Only adjacent members are merged, so every link still lies wholly after the one before it in
 * `finishOrder` and the chain cannot close a cycle.
 */
function batchLinks(graph: ResourceGraph, ordered: readonly string[], reps: ReadonlyMap<string, string[]>): string[][] {
  const links: string[][] = [];
  let previousKind: string | undefined;
  for (const id of ordered) {
    const kind = reps.get(id)?.length === 1 && reps.get(id)?.[0] === id ? graph.nodes.get(id)?.kind : undefined;
    const batchable = kind !== undefined && BATCHED_KINDS.has(kind);
    if (batchable && kind === previousKind) links[links.length - 1]!.push(id);
    else links.push([id]);
    previousKind = batchable ? kind : undefined;
  }
  return links;
}

/** Kinds whose apply coalesces through a per-group batch queue (src/resources/package/batch.ts). */
const BATCHED_KINDS: ReadonlySet<string> = new Set(['package.apt', 'package.rpm']);

/** The deepest id that contains every member's parent. */
function commonAncestor(ids: readonly string[]): string {
  let parts = parentParts(ids[0]!);
  for (const id of ids.slice(1)) {
    const other = parentParts(id);
    let n = 0;
    while (n < parts.length && n < other.length && parts[n] === other[n]) n++;
    parts = parts.slice(0, n);
  }
  return parts.join('/');
}

function parentParts(id: string): string[] {
  const parts = id.split('/');
  parts.pop();
  return parts;
}
