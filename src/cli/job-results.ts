/**
 * Collects one job's stream (edges, then STARTED/FINISHED events) into what the printers need: the final
 * status of every node for each pass, plus live counts for the progress display.
 */
import type { GraphEdge, GraphVertex, NodeEvent, WorkerMessage } from '../protocol.js';
import type { NodeResult } from './render/human.js';

export class JobResults {
  /** Passes in this job: healthcheck jobs walk the graph twice (plan, then health). */
  readonly #passes: number;
  readonly #finished: Map<string, NodeResult>[] = [];
  readonly #running = new Map<string, number>();
  #vertexCount = 0;
  #done = 0;
  #graph: { vertices: readonly GraphVertex[]; edges: readonly GraphEdge[] } | undefined;
  /** Called for every event, after it is recorded. */
  onEvent: ((event: NodeEvent) => void) | undefined;

  constructor(passes = 1) {
    this.#passes = passes;
    for (let i = 0; i < passes; i++) this.#finished.push(new Map());
  }

  /** Feed every WorkerMessage of the job here, in order. */
  readonly accept = (message: WorkerMessage): void => {
    switch (message.type) {
      case 'edges':
        this.#vertexCount = countVertices(message.edges);
        break;
      case 'graph':
        this.#graph = { vertices: message.vertices, edges: message.edges };
        break;
      case 'events':
        for (const event of message.events) this.#record(event);
        break;
    }
  };

  #record(event: NodeEvent): void {
    const key = `${event.pass}\u0000${event.id}`;
    if (event.run === 'STARTED') {
      this.#running.set(key, Date.now());
    } else {
      this.#running.delete(key);
      const finished = this.#finished[event.pass];
      if (finished !== undefined && !finished.has(event.id)) this.#done++;
      if (event.details) finished?.set(event.id, { id: event.id, details: event.details });
    }
    this.onEvent?.(event);
  }

  /** Final statuses of one pass (0: plan or apply; 1: the health pass of a healthcheck). */
  results(pass = 0): NodeResult[] {
    return [...(this.#finished[pass]?.values() ?? [])];
  }

  /** Nodes finished in any pass. */
  get finishedCount(): number {
    return this.#finished.reduce((sum, m) => sum + m.size, 0);
  }

  get graph(): { vertices: readonly GraphVertex[]; edges: readonly GraphEdge[] } | undefined {
    return this.#graph;
  }

  /** Progress so far: nodes done and total over all passes, and the ids running with their start times. */
  progress(): { done: number; total: number; running: { id: string; since: number }[] } {
    const running = [...this.#running].map(([key, since]) => ({ id: key.slice(key.indexOf('\u0000') + 1), since }));
    return { done: this.#done, total: this.#vertexCount * this.#passes, running };
  }
}

/** Vertices named by an edge list; a graph of one node has no edges, so there is always at least the root. */
export function countVertices(edges: readonly GraphEdge[]): number {
  const ids = new Set<string>(['root']);
  for (const edge of edges) {
    ids.add(edge.source);
    ids.add(edge.dest);
  }
  return ids.size;
}
