/**
 * The run store's reads and its retention, as prepared statements over the schema in schema.ts. Lists
 * are newest first and page by rowid, so a page is an index range whatever the table's size, and a run
 * written while a client pages cannot shift the pages it has not read yet.
 */
import type Database from 'better-sqlite3';
import type { GraphEdge, JobKind, NodeEvent } from '../protocol.js';
import type { NodeRecord, RunFilter, RunOutcome, RunPage, RunRecord } from './types.js';

/** Runs per page when the caller does not say, and at most. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

interface RunRow {
  rowid: number;
  id: string;
  kind: string;
  location: string;
  module_sha256: string;
  params: string;
  who: string;
  peer: string;
  queued_at: number;
  started_at: number | null;
  finished_at: number | null;
  outcome: string;
  error_code: string;
  error_message: string;
  nodes: number;
  changed: number;
  failed: number;
  events: number;
}

interface NodeRow {
  node_id: string;
  status: string;
  has_changes: number;
  changes: string;
  messages: string;
  error: string;
  warning: string;
}

const RUN_COLUMNS = `rowid, id, kind, location, module_sha256, params, who, peer, queued_at, started_at, finished_at,
  outcome, error_code, error_message, nodes, changed, failed, events`;

function recordOf(row: RunRow): RunRecord {
  return {
    id: row.id,
    kind: row.kind as JobKind,
    location: row.location,
    moduleSha256: row.module_sha256,
    params: row.params,
    who: row.who,
    peer: row.peer,
    queuedAt: row.queued_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    outcome: row.outcome as RunOutcome,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    nodes: row.nodes,
    changed: row.changed,
    failed: row.failed,
    events: row.events,
  };
}

export class RunQueries {
  readonly #db: Database.Database;
  readonly #get;
  readonly #nodes;
  readonly #edges;
  readonly #events;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#get = db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`);
    this.#nodes = db.prepare('SELECT node_id, status, has_changes, changes, messages, error, warning FROM nodes WHERE run_id = ? ORDER BY node_id');
    this.#edges = db.prepare('SELECT edges FROM runs WHERE id = ?').pluck();
    this.#events = db.prepare('SELECT seq, body FROM events WHERE run_id = ? AND seq >= ? ORDER BY seq LIMIT ?');
  }

  list(filter: RunFilter): RunPage {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (clause: string, value: string | number): void => {
      where.push(clause);
      args.push(value);
    };
    if (filter.kind !== undefined) add('kind = ?', filter.kind);
    if (filter.outcome !== undefined) add('outcome = ?', filter.outcome);
    if (filter.sinceMs !== undefined) add('queued_at >= ?', filter.sinceMs);
    if (filter.module !== undefined && filter.module !== '') add('instr(location, ?) > 0', filter.module);
    if (filter.pageToken !== undefined && filter.pageToken !== '') {
      const after = Number(filter.pageToken);
      if (Number.isInteger(after) && after > 0) add('rowid < ?', after);
    }
    const limit = Math.min(Math.max(1, filter.limit ?? DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE);
    const sql = `SELECT ${RUN_COLUMNS} FROM runs ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`} ORDER BY rowid DESC LIMIT ?`;
    const rows = this.#db.prepare(sql).all(...args, limit + 1) as RunRow[];
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    return { runs: page.map(recordOf), nextPageToken: more ? String(page[page.length - 1]!.rowid) : '' };
  }

  get(id: string): RunRecord | undefined {
    const row = this.#get.get(id) as RunRow | undefined;
    return row === undefined ? undefined : recordOf(row);
  }

  nodes(id: string): NodeRecord[] {
    return (this.#nodes.all(id) as NodeRow[]).map((row) => ({
      id: row.node_id,
      status: row.status as NodeRecord['status'],
      hasChanges: row.has_changes === 1,
      changes: JSON.parse(row.changes) as NodeRecord['changes'],
      messages: JSON.parse(row.messages) as string[],
      error: row.error,
      warning: row.warning,
    }));
  }

  edges(id: string): GraphEdge[] {
    const text = this.#edges.get(id) as string | undefined;
    return text === undefined ? [] : (JSON.parse(text) as GraphEdge[]);
  }

  eventsFrom(id: string, fromSeq: number, limit: number): { seq: number; event: NodeEvent }[] {
    const rows = this.#events.all(id, fromSeq, limit) as { seq: number; body: string }[];
    return rows.map((row) => ({ seq: row.seq, event: JSON.parse(row.body) as NodeEvent }));
  }

  /** Deletes finished runs queued before `cutoffMs`, then the oldest finished ones until their event text fits `maxBytes`. */
  prune(cutoffMs: number, maxBytes: number): number {
    const doomed = this.#db.prepare('SELECT id FROM runs WHERE finished_at IS NOT NULL AND queued_at < ?').pluck().all(cutoffMs) as string[];
    let total = this.#db.prepare('SELECT COALESCE(SUM(bytes), 0) FROM runs WHERE NOT (finished_at IS NOT NULL AND queued_at < ?)').pluck().get(cutoffMs) as number;
    if (total > maxBytes) {
      const oldest = this.#db
        .prepare('SELECT id, bytes FROM runs WHERE finished_at IS NOT NULL AND queued_at >= ? ORDER BY rowid')
        .all(cutoffMs) as { id: string; bytes: number }[];
      for (const row of oldest) {
        if (total <= maxBytes) break;
        doomed.push(row.id);
        total -= row.bytes;
      }
    }
    if (doomed.length === 0) return 0;
    const statements = ['DELETE FROM events WHERE run_id = ?', 'DELETE FROM nodes WHERE run_id = ?', 'DELETE FROM runs WHERE id = ?'].map((sql) =>
      this.#db.prepare(sql),
    );
    this.#db.transaction(() => {
      for (const id of doomed) for (const statement of statements) statement.run(id);
    })();
    return doomed.length;
  }
}
