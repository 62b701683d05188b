/**
 * The run store: SQLite (better-sqlite3) in WAL mode under the state directory. Writes are queued and
 * committed in one transaction per batch, every `flushIntervalMs` or as soon as `flushEvents` events are
 * waiting, so a stream of events costs one commit per batch rather than one per event, and nothing on
 * the path from a worker to its clients waits for the disk. A crash loses at most the batch not yet
 * committed. Reads commit what is queued first, so a reader always sees every write made before it.
 *
 * At open, runs that were open when their server died (its process is gone) are marked `interrupted`;
 * then retention drops runs past the age and size bounds, and does so again every hour.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ConvergeError, getErrorMessage } from '../errors.js';
import type { GraphEdge, NodeEvent } from '../protocol.js';
import { SCHEMA_SQL, SCHEMA_VERSION } from './schema.js';
import {
  DEFAULT_STORE_FLUSH_EVENTS,
  DEFAULT_STORE_FLUSH_INTERVAL_MS,
  DEFAULT_STORE_MAX_AGE_MS,
  DEFAULT_STORE_MAX_BYTES,
} from './store-defaults.js';
import { RUN_STORE_FILE } from './state-dir.js';
import { RunQueries } from './run-queries.js';
import type { NodeRecord, RunFilter, RunOutcome, RunPage, RunRecord } from './types.js';

const RETENTION_INTERVAL_MS = 3_600_000;

export interface RunStoreOptions {
  /** Directory holding runs.sqlite; created (mode 0700) when missing. */
  readonly dir: string;
  /** Runs older than this are deleted. @default 30 days */
  readonly maxAgeMs?: number;
  /** Event text kept across finished runs; the oldest runs go first. @default 1 GiB */
  readonly maxBytes?: number;
  /** Longest a write waits before its batch is committed. @default 100 */
  readonly flushIntervalMs?: number;
  /** Events that make a batch commit at once. @default 2000 */
  readonly flushEvents?: number;
}

/** What a run starts with. */
export interface QueuedRun {
  readonly id: string;
  readonly kind: string;
  readonly location: string;
  readonly moduleSha256: string;
  readonly params: string;
  readonly who: string;
  readonly peer: string;
  readonly queuedAt: number;
}

/** How a run ended. */
export interface FinishedRun {
  readonly outcome: RunOutcome;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly finishedAt: number;
  readonly nodes: readonly NodeRecord[];
}

type Op = () => void;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class RunStore {
  readonly file: string;
  readonly #db: Database.Database;
  readonly #queries: RunQueries;
  readonly #options: Readonly<Required<Omit<RunStoreOptions, 'dir'>>>;
  /** pid:random, so a restarted server with the same pid (pid 1 in a container) is told apart. */
  readonly #instance = `${process.pid}:${randomBytes(4).toString('hex')}`;
  #ops: Op[] = [];
  #queuedEvents = 0;
  #timer: NodeJS.Timeout | undefined;
  #retention: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #statements;

  private constructor(file: string, db: Database.Database, options: Readonly<Required<Omit<RunStoreOptions, 'dir'>>>) {
    this.file = file;
    this.#db = db;
    this.#options = options;
    this.#queries = new RunQueries(db);
    this.#statements = {
      queued: db.prepare(
        `INSERT OR REPLACE INTO runs (id, kind, location, module_sha256, params, who, peer, instance, queued_at)
         VALUES (@id, @kind, @location, @moduleSha256, @params, @who, @peer, @instance, @queuedAt)`,
      ),
      started: db.prepare(`UPDATE runs SET started_at = ?, outcome = 'running' WHERE id = ?`),
      edges: db.prepare('UPDATE runs SET edges = ? WHERE id = ?'),
      event: db.prepare('INSERT OR IGNORE INTO events (run_id, seq, body) VALUES (?, ?, ?)'),
      counts: db.prepare('UPDATE runs SET events = events + ?, bytes = bytes + ? WHERE id = ?'),
      finished: db.prepare(
        `UPDATE runs SET finished_at = @finishedAt, outcome = @outcome, error_code = @errorCode, error_message = @errorMessage,
         nodes = @nodes, changed = @changed, failed = @failed WHERE id = @id`,
      ),
      node: db.prepare(
        `INSERT OR REPLACE INTO nodes (run_id, node_id, status, has_changes, changes, messages, error, warning)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  /** Opens (or creates) the store in `options.dir`, recovers runs of dead servers, applies retention. */
  static open(options: RunStoreOptions): RunStore {
    const resolved = {
      maxAgeMs: options.maxAgeMs ?? DEFAULT_STORE_MAX_AGE_MS,
      maxBytes: options.maxBytes ?? DEFAULT_STORE_MAX_BYTES,
      flushIntervalMs: options.flushIntervalMs ?? DEFAULT_STORE_FLUSH_INTERVAL_MS,
      flushEvents: options.flushEvents ?? DEFAULT_STORE_FLUSH_EVENTS,
    };
    for (const [name, value] of Object.entries(resolved)) {
      if (!Number.isFinite(value) || value < 0) throw new TypeError(`Expected \`${name}\` to be a number >= 0, got \`${value}\``);
    }
    const file = path.join(options.dir, RUN_STORE_FILE);
    let db: Database.Database;
    try {
      // 0700: the store holds params and who ran what, which only the server's user should read.
      mkdirSync(options.dir, { recursive: true, mode: 0o700 });
      db = new Database(file);
      chmodSync(file, 0o600);
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a commit survives a crash of the process; only an OS crash can lose the last ones.
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      db.exec(SCHEMA_SQL);
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        db.close();
        throw new Error(`it was written by a newer converge (schema ${version}; this one knows ${SCHEMA_VERSION})`);
      }
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    } catch (error) {
      throw new ConvergeError('CNV_ERR_STORE_OPEN', `cannot open the run store ${file}: ${getErrorMessage(error)}`, { file }, { cause: error });
    }
    const store = new RunStore(file, db, resolved);
    store.recover();
    store.prune();
    store.#retention = setInterval(() => store.prune(), RETENTION_INTERVAL_MS);
    store.#retention.unref();
    return store;
  }

  /** Marks runs left open by servers that are gone as interrupted. Returns how many. */
  recover(now = Date.now()): number {
    const open = this.#db.prepare('SELECT DISTINCT instance FROM runs WHERE finished_at IS NULL').pluck().all() as string[];
    const mark = this.#db.prepare(
      `UPDATE runs SET outcome = 'interrupted', error_code = 'CNV_ERR_JOB_INTERRUPTED',
       error_message = 'the server stopped during the run', finished_at = ? WHERE finished_at IS NULL AND instance = ?`,
    );
    let marked = 0;
    for (const instance of open) {
      const pid = Number(instance.split(':')[0]);
      // Our own pid with another suffix is a previous server that had our pid; another live pid is a
      // second server sharing the directory, whose runs are not ours to end.
      if (instance !== this.#instance && (pid === process.pid || !pidAlive(pid))) marked += mark.run(now, instance).changes;
    }
    return marked;
  }

  #enqueue(op: Op, events = 0): void {
    if (this.#closed) return;
    this.#ops.push(op);
    this.#queuedEvents += events;
    if (this.#queuedEvents >= this.#options.flushEvents) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      setImmediate(() => this.flush());
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.flush(), this.#options.flushIntervalMs);
    }
  }

  /** Commits every queued write in one transaction. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#ops.length === 0 || !this.#db.open) return;
    const ops = this.#ops;
    this.#ops = [];
    this.#queuedEvents = 0;
    this.#db.transaction(() => {
      for (const op of ops) op();
    })();
  }

  queued(run: QueuedRun): void {
    this.#enqueue(() => this.#statements.queued.run({ ...run, instance: this.#instance }));
  }

  started(id: string, at: number): void {
    this.#enqueue(() => this.#statements.started.run(at, id));
  }

  edges(id: string, edges: readonly GraphEdge[]): void {
    const text = JSON.stringify(edges);
    this.#enqueue(() => this.#statements.edges.run(text, id));
  }

  /** Events of run `id`, numbered from `firstSeq`. */
  events(id: string, firstSeq: number, events: readonly NodeEvent[]): void {
    if (events.length === 0) return;
    const bodies = events.map((event) => JSON.stringify(event));
    this.#enqueue(() => {
      let bytes = 0;
      for (let i = 0; i < bodies.length; i += 1) {
        this.#statements.event.run(id, firstSeq + i, bodies[i]!);
        bytes += bodies[i]!.length;
      }
      this.#statements.counts.run(bodies.length, bytes, id);
    }, events.length);
  }

  finished(id: string, end: FinishedRun): void {
    let changed = 0;
    let failed = 0;
    for (const node of end.nodes) {
      if (node.hasChanges) changed += 1;
      if (node.status === 'error') failed += 1;
    }
    this.#enqueue(() => {
      for (const node of end.nodes) {
        const { id: nodeId, status, hasChanges, changes, messages, error, warning } = node;
        this.#statements.node.run(id, nodeId, status, hasChanges ? 1 : 0, JSON.stringify(changes), JSON.stringify(messages), error, warning);
      }
      const { outcome, errorCode, errorMessage, finishedAt } = end;
      this.#statements.finished.run({ id, outcome, errorCode, errorMessage, finishedAt, nodes: end.nodes.length, changed, failed });
    });
  }

  list(filter: RunFilter = {}): RunPage {
    this.flush();
    return this.#queries.list(filter);
  }

  get(id: string): RunRecord | undefined {
    this.flush();
    return this.#queries.get(id);
  }

  nodes(id: string): NodeRecord[] {
    this.flush();
    return this.#queries.nodes(id);
  }

  /** Stored edges of run `id` (empty when it had none). */
  edgesOf(id: string): GraphEdge[] {
    this.flush();
    return this.#queries.edges(id);
  }

  /** Up to `limit` events of run `id` with seq >= `fromSeq`, in order. */
  eventsFrom(id: string, fromSeq: number, limit: number): { seq: number; event: NodeEvent }[] {
    this.flush();
    return this.#queries.eventsFrom(id, fromSeq, limit);
  }

  /** Deletes finished runs older than maxAgeMs, then the oldest finished ones past maxBytes. */
  prune(now = Date.now()): number {
    if (!this.#db.open) return 0;
    this.flush();
    return this.#queries.prune(now - this.#options.maxAgeMs, this.#options.maxBytes);
  }

  /** Commits what is queued and closes the file. */
  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    clearInterval(this.#retention);
    this.#db.close();
  }
}
