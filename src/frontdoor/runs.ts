/**
 * Runs: one record per job, holding everything the job produced in order (edges, numbered events,
 * graph, notices, outcome). Transports read a run through a cursor instead of owning a queue, so
 * events live in exactly one place whatever the number of readers, a slow reader costs nothing but
 * its cursor, and a later "reattach" feature only needs a new reader on an existing run.
 */
import { randomBytes } from 'node:crypto';
import { DEFAULT_RETAIN_EVENTS, DEFAULT_RETAIN_RUNS, DEFAULT_RETAIN_RUNS_BYTES } from '../defaults.js';
import type { GraphEdge, GraphVertex, JobKind, JobOutcome, LoadingProgress, NodeEvent } from '../protocol.js';

/** Bookkeeping per event or edge besides its strings (objects, array slots, the seq), in bytes. */
const RECORD_OVERHEAD_BYTES = 160;

/**
 * What an event holds in memory, roughly: its strings at two bytes a character (V8's worst case) plus a
 * fixed overhead. Cheap enough to run on every event; task output dominates and is counted exactly.
 */
export function estimateEventBytes(event: NodeEvent): number {
  let chars = event.id.length;
  const details = event.details;
  if (details !== undefined) {
    chars += details.error.length + details.warning.length;
    for (const message of details.messages) chars += message.length;
    for (const [key, diff] of Object.entries(details.changes)) chars += key.length + diff.original.length + diff.current.length;
    if (details.health !== undefined) for (const id of details.health.failingDependencies) chars += id.length;
  }
  return RECORD_OVERHEAD_BYTES + 2 * chars;
}

function estimateEdgesBytes(edges: readonly GraphEdge[]): number {
  let bytes = 0;
  for (const edge of edges) bytes += RECORD_OVERHEAD_BYTES + 2 * (edge.source.length + edge.dest.length);
  return bytes;
}

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
  /** When the run left the queue and when it ended (ms since the epoch); null until then. */
  startedAtMs: number | null = null;
  finishedAtMs: number | null = null;
  #state: RunState = 'queued';
  #edges: readonly GraphEdge[] | undefined;
  #graph: { readonly vertices: readonly GraphVertex[]; readonly edges: readonly GraphEdge[] } | undefined;
  readonly #events: NumberedEvent[] = [];
  #notice: QueuedNotice | undefined;
  #loading: LoadingProgress | undefined;
  #outcome: JobOutcome | undefined;
  #wake: (() => void) | undefined;
  #changed: Promise<void> | undefined;
  #bytes = 0;

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
  /** The latest loading progress, while a slow load goes on; undefined once the walk has started. */
  get loading(): LoadingProgress | undefined {
    return this.#edges === undefined && this.#graph === undefined ? this.#loading : undefined;
  }
  /**
   * Told of each loading report as it arrives. A --local job loads on this very thread, synchronously,
   * so a reader waiting on changed() would only see the last report, once loading is over.
   */
  onLoading: ((progress: LoadingProgress) => void) | undefined;
  get outcome(): JobOutcome | undefined {
    return this.#outcome;
  }
  get eventCount(): number {
    return this.#events.length;
  }
  /** Estimated memory held by this run's events, edges and graph, in bytes. */
  get bytes(): number {
    return this.#bytes;
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
    this.startedAtMs = Date.now();
    this.#notify();
  }
  setLoading(progress: LoadingProgress): void {
    this.#loading = progress;
    this.onLoading?.(progress);
    this.#notify();
  }
  setEdges(edges: readonly GraphEdge[]): void {
    this.#edges = edges;
    this.#bytes += estimateEdgesBytes(edges);
    this.#notify();
  }
  setGraph(vertices: readonly GraphVertex[], edges: readonly GraphEdge[]): void {
    this.#graph = { vertices, edges };
    this.#bytes += estimateEdgesBytes(edges);
    for (const vertex of vertices) this.#bytes += RECORD_OVERHEAD_BYTES + 2 * (vertex.id.length + vertex.kind.length + vertex.details.length);
    this.#notify();
  }
  appendEvents(events: readonly NodeEvent[]): void {
    for (const event of events) {
      this.#events.push({ seq: this.#events.length + 1, event });
      this.#bytes += estimateEventBytes(event);
    }
    this.#notify();
  }
  /** Set by the registry, which prunes when a run finishes. */
  onFinish: (() => void) | undefined;

  finish(outcome: JobOutcome): void {
    this.#outcome = outcome;
    this.#state = 'done';
    this.finishedAtMs = Date.now();
    this.#notify();
    this.onFinish?.();
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
  /**
   * Estimated bytes held across finished runs (estimateEventBytes), so a few runs with huge task output
   * cannot hold memory either; the oldest finished runs are dropped first. @default 256 MiB
   */
  readonly retainBytes?: number;
}

/** Creates runs with unique ids and keeps recent ones. */
export class RunRegistry {
  readonly #runs = new Map<string, Run>();
  readonly #retain: number;
  readonly #retainEvents: number;
  readonly #retainBytes: number;
  #counter = 0;

  constructor(options: RunRegistryOptions = {}) {
    this.#retain = options.retainFinished ?? DEFAULT_RETAIN_RUNS;
    this.#retainEvents = options.retainEvents ?? DEFAULT_RETAIN_EVENTS;
    this.#retainBytes = options.retainBytes ?? DEFAULT_RETAIN_RUNS_BYTES;
    for (const [name, value] of Object.entries({ retainFinished: this.#retain, retainEvents: this.#retainEvents, retainBytes: this.#retainBytes })) {
      if (!Number.isInteger(value) || value < 0) throw new TypeError(`Expected \`${name}\` to be an integer >= 0, got \`${value}\``);
    }
  }

  create(kind: JobKind, location: string): Run {
    this.#counter += 1;
    // A counter makes ids readable in logs and notices ("behind run 12-…"); the random part keeps ids
    // unique across server restarts.
    const id = `${this.#counter}-${randomBytes(4).toString('hex')}`;
    const run = new Run(id, kind, location);
    this.#runs.set(id, run);
    run.onFinish = () => this.prune();
    this.prune();
    return run;
  }

  get(id: string): Run | undefined {
    return this.#runs.get(id);
  }

  get size(): number {
    return this.#runs.size;
  }

  /** Every run held, oldest first. */
  values(): IterableIterator<Run> {
    return this.#runs.values();
  }

  /** Estimated bytes held by finished runs. */
  get finishedBytes(): number {
    let bytes = 0;
    for (const run of this.#runs.values()) if (run.state === 'done') bytes += run.bytes;
    return bytes;
  }

  /**
   * Drops the oldest finished runs past the bounds. Called when a run is created and when one finishes,
   * since a finished run's events count only from then on.
   */
  prune(): void {
    let finished = 0;
    let events = 0;
    let bytes = 0;
    for (const run of this.#runs.values()) {
      if (run.state !== 'done') continue;
      finished += 1;
      events += run.eventCount;
      bytes += run.bytes;
    }
    // Map iteration is insertion order, so the first finished runs met are the oldest.
    for (const [id, run] of this.#runs) {
      if (finished <= this.#retain && events <= this.#retainEvents && bytes <= this.#retainBytes) break;
      if (run.state === 'done') {
        this.#runs.delete(id);
        finished -= 1;
        events -= run.eventCount;
        bytes -= run.bytes;
      }
    }
  }
}
