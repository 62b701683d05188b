/**
 * What the Runs API answers, for both transports: a list with filters and pages, and one run with its
 * node results. With a run store the store answers (it mirrors live runs too); without one, the runs
 * still held in memory do. Live runs take their node results from memory, where they are current.
 */
import { ConvergeError } from '../errors.js';
import { parseGoDuration } from '../go/duration.js';
import type { JobKind } from '../protocol.js';
import type { RunStore } from '../store/run-store.js';
import { RUN_OUTCOMES, type NodeRecord, type RunFilter, type RunOutcome, type RunPage, type RunRecord } from '../store/types.js';
import { nodeResults, outcomeOf } from './runs-mirror.js';
import type { Run, RunRegistry } from './runs.js';
import type { RunDetailInit, RunNodeInit, RunsListRequest, RunsListResponseInit, RunSummaryInit } from './wire/pb-types.js';

const KINDS: readonly JobKind[] = ['plan', 'apply', 'healthcheck', 'graph'];

export interface RunsSource {
  readonly runs: RunRegistry;
  readonly store?: RunStore;
}

function iso(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString();
}

export function summaryOf(record: RunRecord): RunSummaryInit {
  return {
    id: record.id,
    kind: record.kind,
    location: record.location,
    moduleSha256: record.moduleSha256,
    paramsJson: record.params,
    who: record.who,
    peer: record.peer,
    queuedAt: iso(record.queuedAt),
    startedAt: iso(record.startedAt),
    finishedAt: iso(record.finishedAt),
    outcome: record.outcome,
    errorCode: record.errorCode,
    errorMessage: record.errorMessage,
    nodes: record.nodes,
    changed: record.changed,
    failed: record.failed,
    events: record.events,
  };
}

function nodeOf(node: NodeRecord): RunNodeInit {
  return { ...node, messages: [...node.messages] };
}

/** A run as held in memory, in the store's shape (who and peer are known to the store only). */
function memoryRecord(run: Run): RunRecord {
  const nodes = run.state === 'done' ? nodeResults(run) : [];
  const failed = nodes.filter((n) => n.status === 'error').length;
  const outcome = run.outcome;
  return {
    id: run.id,
    kind: run.kind,
    location: run.location,
    moduleSha256: '',
    params: '{}',
    who: '',
    peer: '',
    queuedAt: run.createdAtMs,
    startedAt: run.startedAtMs,
    finishedAt: run.finishedAtMs,
    outcome: run.state === 'done' ? outcomeOf(outcome, failed) : run.state === 'running' ? 'running' : 'queued',
    errorCode: outcome !== undefined && !outcome.ok ? outcome.error.code : '',
    errorMessage: outcome !== undefined && !outcome.ok ? outcome.error.message : '',
    nodes: nodes.length,
    changed: nodes.filter((n) => n.hasChanges).length,
    failed,
    events: run.eventCount,
  };
}

function invalid(field: string, message: string): ConvergeError {
  return new ConvergeError('CNV_ERR_SERVER_REQUEST_INVALID', `${field}: ${message}`, { field });
}

/** `since` as milliseconds since the epoch: an RFC 3339 time, or a Go duration back from `now`. */
export function parseSince(text: string, now = Date.now()): number | undefined {
  if (text === '') return undefined;
  if (/^\d{4}-\d\d-\d\d/.test(text)) {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) throw invalid('since', `"${text}" is not an RFC 3339 time`);
    return ms;
  }
  try {
    return now - parseGoDuration(text) / 1e6;
  } catch {
    throw invalid('since', `"${text}" is neither an RFC 3339 time nor a duration such as 24h or 30m`);
  }
}

/** The request's filters, checked. */
export function filterOf(request: RunsListRequest): RunFilter {
  if (request.kind !== '' && !KINDS.includes(request.kind as JobKind)) throw invalid('kind', `must be one of ${KINDS.join(', ')}, got "${request.kind}"`);
  if (request.outcome !== '' && !RUN_OUTCOMES.includes(request.outcome as RunOutcome)) {
    throw invalid('outcome', `must be one of ${RUN_OUTCOMES.join(', ')}, got "${request.outcome}"`);
  }
  const sinceMs = parseSince(request.since);
  return {
    ...(request.kind === '' ? {} : { kind: request.kind as JobKind }),
    ...(request.outcome === '' ? {} : { outcome: request.outcome as RunOutcome }),
    ...(sinceMs === undefined ? {} : { sinceMs }),
    ...(request.module === '' ? {} : { module: request.module }),
    ...(request.pageSize === 0 ? {} : { limit: request.pageSize }),
    ...(request.pageToken === '' ? {} : { pageToken: request.pageToken }),
  };
}

function listMemory(registry: RunRegistry, filter: RunFilter): RunPage {
  const all = [...registry.values()].map(memoryRecord).reverse();
  const matching = all.filter(
    (r) =>
      (filter.kind === undefined || r.kind === filter.kind) &&
      (filter.outcome === undefined || r.outcome === filter.outcome) &&
      (filter.sinceMs === undefined || r.queuedAt >= filter.sinceMs) &&
      (filter.module === undefined || r.location.includes(filter.module)),
  );
  const start = Number(filter.pageToken ?? '0') || 0;
  const limit = Math.min(Math.max(1, filter.limit ?? 50), 1000);
  const page = matching.slice(start, start + limit);
  return { runs: page, nextPageToken: start + limit < matching.length ? String(start + limit) : '' };
}

export function listRuns(source: RunsSource, request: RunsListRequest): RunsListResponseInit {
  const filter = filterOf(request);
  const page = source.store === undefined ? listMemory(source.runs, filter) : source.store.list(filter);
  return { runs: page.runs.map(summaryOf), nextPageToken: page.nextPageToken };
}

export function runNotFound(id: string): ConvergeError {
  return new ConvergeError('CNV_ERR_RUN_NOT_FOUND', `no run with id "${id}" (it may have been dropped by retention)`, { id });
}

export function getRun(source: RunsSource, id: string): RunDetailInit {
  const live = source.runs.get(id);
  const stored = source.store?.get(id);
  if (stored !== undefined) {
    const nodes = live !== undefined && live.state !== 'done' ? nodeResults(live) : source.store!.nodes(id);
    return { run: summaryOf(stored), nodes: nodes.map(nodeOf) };
  }
  if (live === undefined) throw runNotFound(id);
  return { run: summaryOf(memoryRecord(live)), nodes: nodeResults(live).map(nodeOf) };
}
