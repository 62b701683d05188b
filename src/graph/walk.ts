/**
 * The parallel walk, in the original's order (leaves first, the root last): a node runs after its
 * dependencies and after all of its children, and its children are not started before its own dependencies
 * are done (so a module or a later switch branch waits as a whole). At most `parallelism` visits run at once.
 *
 * Two counters per node make this O(V + E): `blocked` counts unfinished dependencies plus one for a
 * parent that has not been released yet; `waiting` counts unfinished children. A node is released when
 * `blocked` reaches 0 (its children may then be released), and runs once it is released and `waiting`
 * is 0. Each node is pushed to the ready queue exactly once.
 */
import { ConvergeError } from '../errors.js';
import { nodeSlots } from './node-slots.js';
import type { ResourceGraph } from './nodes.js';

export interface WalkOutcome {
  /** Nodes visited. */
  readonly visited: number;
  /** True when the signal stopped the walk before every node was visited. */
  readonly cancelled: boolean;
}

/**
 * Visits every node in dependency order, at most `parallelism` at a time. `visit` must not throw.
 * The walk stops starting nodes once `signal` aborts or `stop` (the pool's cancel flag) says so.
 */
export function walk(
  graph: ResourceGraph,
  parallelism: number,
  signal: AbortSignal | undefined,
  visit: (id: string) => Promise<void>,
  stop?: () => boolean,
): Promise<WalkOutcome> {
  const counters = new WalkCounters(graph);
  const { ids, n, ready } = counters;
  counters.releaseRoots();

  // The thread's node-slot scheduler, if any (node-slots.ts): a node allowed by `parallelism` starts
  // once it also has a slot. `running` counts nodes holding or waiting for one.
  const lane = nodeSlots()?.lane();
  const stopped = (): boolean => signal?.aborted === true || stop?.() === true;
  return new Promise((resolve, reject) => {
    let running = 0;
    let visited = 0;
    let failed = false;
    let watch: NodeJS.Timeout | undefined;
    const start = (i: number, done: () => void): void => {
      if (failed || stopped()) {
        done();
        running--;
        pump();
        return;
      }
      visit(ids[i]!).then(
        () => {
          done();
          running--;
          visited++;
          counters.finish(i);
          pump();
        },
        (error: unknown) => {
          done();
          failed = true;
          settle();
          reject(error);
        },
      );
    };
    const settle = (): void => {
      if (watch !== undefined) clearInterval(watch);
      watch = undefined;
      lane?.cancelPending();
    };
    // Nodes waiting for a slot must not hold up a stop: a stopped walk drops them within a tick of this.
    const watchStop = (): void => {
      watch ??= setInterval(() => {
        if (!stopped() || lane === undefined) return;
        running -= lane.cancelPending();
        pump();
      }, 100).unref();
    };
    const pump = (): void => {
      if (failed) return;
      while (running < parallelism && counters.head < ready.length && !stopped()) {
        const i = ready[counters.head++]!;
        running++;
        if (lane === undefined) start(i, ignore);
        else lane.request((done) => start(i, done));
      }
      if (stopped() && lane !== undefined) running -= lane.cancelPending();
      if (lane !== undefined && lane.pending > 0) watchStop();
      if (running > 0) return;
      settle();
      if (stopped() && visited < n) {
        resolve({ visited, cancelled: true });
      } else if (counters.head >= ready.length && visited < n) {
        const stuck = counters.stuck(10);
        reject(new ConvergeError('CNV_ERR_GRAPH_CYCLE', `Cycle: ${stuck.join(', ')}`, { cycle: stuck }));
      } else if (visited === n) {
        resolve({ visited, cancelled: false });
      }
    };
    pump();
  });
}

function ignore(): void {}

/** The walk's two counters per node, and the queue of nodes ready to run (see the file's comment). */
class WalkCounters {
  readonly ids: string[];
  readonly n: number;
  /** Nodes ready to run, in the order they became ready; `head` is the next one to start. */
  readonly ready: number[] = [];
  head = 0;
  readonly #blocked: Int32Array;
  readonly #waiting: Int32Array;
  readonly #released: Uint8Array;
  readonly #parent: Int32Array;
  readonly #children: number[][];
  readonly #dependents: number[][];

  constructor(graph: ResourceGraph) {
    const ids = [...graph.nodes.keys()];
    const n = ids.length;
    const index = new Map<string, number>();
    ids.forEach((id, i) => index.set(id, i));
    this.ids = ids;
    this.n = n;
    this.#blocked = new Int32Array(n);
    this.#waiting = new Int32Array(n);
    this.#released = new Uint8Array(n);
    this.#parent = new Int32Array(n).fill(-1);
    this.#children = Array.from({ length: n }, () => []);
    this.#dependents = Array.from({ length: n }, () => []);
    for (let i = 0; i < n; i++) {
      const node = graph.get(ids[i]!)!;
      const p = node.parent === '' ? -1 : (index.get(node.parent) ?? -1);
      this.#parent[i] = p;
      if (p >= 0) {
        this.#children[p]!.push(i);
        this.#waiting[p]!++;
        this.#blocked[i]!++;
      }
      for (const dep of graph.deps.get(ids[i]!) ?? []) {
        const d = index.get(dep);
        if (d === undefined) continue;
        this.#dependents[d]!.push(i);
        this.#blocked[i]!++;
      }
    }
  }

  releaseRoots(): void {
    const roots: number[] = [];
    for (let i = 0; i < this.n; i++) if (this.#blocked[i] === 0) roots.push(i);
    for (const i of roots) this.#release(i);
  }

  /** Node `i` is done: its dependents and its parent may become ready. */
  finish(i: number): void {
    const blocked = this.#blocked;
    for (const d of this.#dependents[i]!) if (--blocked[d]! === 0) this.#release(d);
    const p = this.#parent[i]!;
    if (p >= 0 && --this.#waiting[p]! === 0 && this.#released[p] === 1) this.ready.push(p);
  }

  /** Up to `max` nodes that can never run: what a cycle holds up. */
  stuck(max: number): string[] {
    return this.ids.filter((_, i) => this.#released[i] === 0 || this.#waiting[i]! > 0).slice(0, max);
  }

  #release(start: number): void {
    // Iterative: module trees can be deep, and releasing cascades down the whole subtree.
    const stack = [start];
    while (stack.length > 0) {
      const i = stack.pop()!;
      if (this.#released[i] === 1) continue;
      this.#released[i] = 1;
      // Reverse, so that siblings become ready in declaration order as the stack pops.
      const kids = this.#children[i]!;
      for (let k = kids.length - 1; k >= 0; k--) {
        const c = kids[k]!;
        if (--this.#blocked[c]! === 0) stack.push(c);
      }
      if (this.#waiting[i] === 0) this.ready.push(i);
    }
  }
}
