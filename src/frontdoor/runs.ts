/**
 * Runs: one record per job, holding everything the job produced in order (edges, numbered events,
 * graph, notices, outcome). Transports read a run through a cursor instead of owning a queue, so
 * events live in exactly one place whatever the number of readers, a slow reader costs nothing but
 * its cursor, and a later "reattach" feature only needs a new reader on an existing run.
 */
import { randomBytes } from 'node:crypto';
import type { GraphEdge, GraphVertex, JobKind, JobOutcome, NodeEvent } from '../protocol.js';

export type RunState = 'queued' | 'running' | 'done';

export interface QueuedNotice {
  readonly kind: 'queued';
  readonly runId: string;
  /** Run id this one waits for; empty when it waits for a free slot rather than a run. */
  readonly behind: string;
  /** 1 = next to start. */
  readonly position: number;
  readonly text: string;
}

/** An event with its position in the run, from 1. */
export interface NumberedEvent {
  readonly seq: number;
  readonly event: NodeEvent;
}

export class Run {
  readonly id: string;
  readonly kind: JobKind;
  readonly location: string;
  readonly createdAtMs = Date.now();
  #state: RunState = 'queued';
  #edges: readonly GraphEdge[] | undefined;
  #graph: { readonly vertices: readonly GraphVertex[]; readonly edges: readonly GraphEdge[] } | undefined;
  readonly #events: NumberedEvent[] = [];
  #notice: QueuedNotice | undefined;
  #outcome: JobOutcome | undefined;
  #wake: (() => void) | undefined;
  #changed: Promise<void> | undefined;

  constructor(id: string, kind: JobKind, location: string) {
    this.id = id;
    this.kind = kind;
    this.location = location;
  }

  get state(): RunState {
    return this.#state;
  }
  get edges(): readonly GraphEdge[] | undefined {
    return this.#edges;
  }
  get graph(): { readonly vertices: readonly GraphVertex[]; readonly edges: readonly GraphEdge[] } | undefined {
    return this.#graph;
  }
  get notice(): QueuedNotice | undefined {
    return this.#notice;
  }
  get outcome(): JobOutcome | undefined {
    return this.#outcome;
  }
  get eventCount(): number {
    return this.#events.length;
  }
  /** The event at `index` (0-based), or undefined past the end. */
  eventAt(index: number): NumberedEvent | undefined {
    return this.#events[index];
  }

  /** Resolves at the next change of this run (new data, state or outcome). */
  changed(): Promise<void> {
    this.#changed ??= new Promise<void>((resolve) => {
      this.#wake = resolve;
    });
    return this.#changed;
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    this.#changed = undefined;
    wake?.();
  }

  setNotice(notice: QueuedNotice): void {
    this.#notice = notice;
    this.#notify();
  }
  markRunning(): void {
    this.#state = 'running';
    this.#notify();
  }
  setEdges(edges: readonly GraphEdge[]): void {
    this.#edges = edges;
    this.#notify();
  }
  setGraph(vertices: readonly GraphVertex[], edges: readonly GraphEdge[]): void {
    this.#graph = { vertices, edges };
    this.#notify();
  }
  appendEvents(events: readonly NodeEvent[]): void {
    for (const event of events) this.#events.push({ seq: this.#events.length + 1, event });
    this.#notify();
  }
  finish(outcome: JobOutcome): void {
    this.#outcome = outcome;
    this.#state = 'done';
    this.#notify();
  }
}

export interface RunRegistryOptions {
  /** Finished runs kept for later reading; the oldest are dropped first. @default 100 */
  readonly retainFinished?: number;
  /**
   * Events kept across finished runs, so a few huge runs cannot hold memory either; the oldest finished
   * runs are dropped first. Running runs are never dropped. @default 200_000
   */
  readonly retainEvents?: number;
}

/** Creates runs with unique ids and keeps recent ones. */
export class RunRegistry {
  readonly #runs = new Map<string, Run>();
  readonly #retain: number;
  readonly #retainEvents: number;
  #counter = 0;

  constructor(options: RunRegistryOptions = {}) {
    this.#retain = options.retainFinished ?? 100;
    this.#retainEvents = options.retainEvents ?? 200_000;
  }

  create(kind: JobKind, location: string): Run {
    this.#counter += 1;
    // A counter makes ids readable in logs and notices ("behind run 12-…"); the random part keeps ids
    // unique across server restarts.
    const id = `${this.#counter}-${randomBytes(4).toString('hex')}`;
    const run = new Run(id, kind, location);
    this.#runs.set(id, run);
    this.#prune();
    return run;
  }

  get(id: string): Run | undefined {
    return this.#runs.get(id);
  }

  get size(): number {
    return this.#runs.size;
  }

  #prune(): void {
    let finished = 0;
    let events = 0;
    for (const run of this.#runs.values()) {
      if (run.state !== 'done') continue;
      finished += 1;
      events += run.eventCount;
    }
    // Map iteration is insertion order, so the first finished runs met are the oldest.
    for (const [id, run] of this.#runs) {
      if (finished <= this.#retain && events <= this.#retainEvents) break;
      if (run.state === 'done') {
        this.#runs.delete(id);
        finished -= 1;
        events -= run.eventCount;
      }
    }
  }
}
