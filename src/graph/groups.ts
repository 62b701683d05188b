/**
 * Groups (REFERENCE §2.5): the members of one `group` never run at the same time. They are linked
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
  for (let i = 1; i < ordered.length; i++) graph.connect(ordered[i]!, ordered[i - 1]!);
}

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
