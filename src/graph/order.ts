/**
 * Orderings and cycle detection over the "finishes after" relation: a node finishes after each of
 * its dependencies and each of its children. Everything here is iterative (no recursion), so 100,000
 * node graphs cannot overflow the stack, and O(V + E).
 */
import { ConvergeError, positionedError } from '../errors.js';
import type { ResourceGraph } from './nodes.js';

/** A depth-first stack frame: a node and a cursor over what it waits for. */
interface Frame {
  readonly id: string;
  readonly next: readonly string[];
  at: number;
}

const NONE: readonly string[] = [];

/** What `id` must wait for: its dependencies, then (optionally) its children. */
function frame(graph: ResourceGraph, id: string, withChildren: boolean): Frame {
  const deps = graph.deps.get(id);
  const children = withChildren ? (graph.get(id)?.children ?? NONE) : NONE;
  const next = deps === undefined || deps.size === 0 ? children : children.length === 0 ? [...deps] : [...deps, ...children];
  return { id, next, at: 0 };
}

/**
 * Post-order position of every node (dependencies and children first), starting from nodes in
 * declaration order. Any order that respects the positions is a valid execution order.
 */
export function finishOrder(graph: ResourceGraph): Map<string, number> {
  const position = new Map<string, number>();
  const onStack = new Set<string>();
  for (const start of graph.nodes.keys()) {
    if (position.has(start)) continue;
    const stack: Frame[] = [frame(graph, start, true)];
    onStack.add(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.at >= top.next.length) {
        stack.pop();
        onStack.delete(top.id);
        position.set(top.id, position.size);
        continue;
      }
      const id = top.next[top.at++]!;
      if (position.has(id) || onStack.has(id) || !graph.has(id)) continue;
      onStack.add(id);
      stack.push(frame(graph, id, true));
    }
  }
  return position;
}

/**
 * Throws CNV_ERR_GRAPH_CYCLE naming the nodes of a cycle, if there is one. Dependency cycles are
 * looked for first, so the message names the `depends`/param/lookup edges the user wrote; then
 * cycles through containment (a node that depends on its own module, for example).
 */
export function assertAcyclic(graph: ResourceGraph): void {
  // One pass over both relations finds any cycle; only then is the dependency-only pass worth it.
  const any = findCycle(graph, true);
  if (any === undefined) return;
  const cycle = findCycle(graph, false) ?? any;
  const first = graph.get(cycle[0]!);
  const message = `Cycle: ${cycle.join(', ')}`;
  throw first === undefined
    ? new ConvergeError('CNV_ERR_GRAPH_CYCLE', message, { cycle })
    : positionedError('CNV_ERR_GRAPH_CYCLE', first.pos, message, { cycle });
}

function findCycle(graph: ResourceGraph, withChildren: boolean): string[] | undefined {
  const done = new Set<string>();
  const onStack = new Map<string, number>();
  for (const start of graph.nodes.keys()) {
    if (done.has(start)) continue;
    const stack: Frame[] = [frame(graph, start, withChildren)];
    onStack.set(start, 0);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.at >= top.next.length) {
        stack.pop();
        onStack.delete(top.id);
        done.add(top.id);
        continue;
      }
      const id = top.next[top.at++]!;
      const at = onStack.get(id);
      if (at !== undefined) return stack.slice(at).map((frame) => frame.id);
      if (done.has(id) || !graph.has(id)) continue;
      onStack.set(id, stack.length);
      stack.push(frame(graph, id, withChildren));
    }
  }
  return undefined;
}
