/**
 * StatusResponse both ways: built from the engine's events (omitting default values, so the same
 * object encodes for gRPC and prints, as it is, as proto3 JSON for HTTP, as the original's REST output
 * did), and read back into events by the client.
 */
import type { GraphEdge, HealthLevel, LoadingProgress, NodeDetails, NodeEvent } from '../../protocol.js';
import type { QueuedNotice } from '../runs.js';
import type { Notice, StatusResponse, StatusResponse_Details, StatusResponse_DetailsInit, StatusResponseInit } from './pb-types.js';

function compactDetails(details: NodeDetails): StatusResponse_DetailsInit {
  const out: { -readonly [K in keyof StatusResponse_DetailsInit]: StatusResponse_DetailsInit[K] } = {};
  if (details.messages.length > 0) out.messages = details.messages;
  if (Object.keys(details.changes).length > 0) out.changes = details.changes;
  if (details.hasChanges) out.hasChanges = true;
  if (details.error !== '') out.error = details.error;
  if (details.warning !== '') out.warning = details.warning;
  if (details.health !== undefined) out.health = details.health;
  return out;
}

/** StatusResponse for one numbered event, field order as the original printed it. */
export function statusResponse(event: NodeEvent, seq: number): StatusResponseInit {
  const out: { -readonly [K in keyof StatusResponseInit]: StatusResponseInit[K] } = { id: event.id, stage: event.stage, run: event.run };
  if (event.details !== undefined) out.details = compactDetails(event.details);
  out.meta = { id: event.id };
  if (event.pass !== 0) out.pass = event.pass;
  out.seq = seq;
  return out;
}

export function noticeResponse(notice: QueuedNotice): StatusResponseInit {
  return { notice: { ...notice } };
}

export function loadingNoticeResponse(runId: string, progress: LoadingProgress): StatusResponseInit {
  return { notice: { kind: 'loading', runId, files: progress.files, nodes: progress.nodes, rendered: progress.rendered } };
}

/** The counts of a `loading` notice, or undefined when `notice` is of another kind. */
export function loadingOf(notice: Notice): LoadingProgress | undefined {
  if (notice.kind !== 'loading') return undefined;
  return { files: notice.files, nodes: notice.nodes, rendered: notice.rendered };
}

export function edgesNoticeResponse(runId: string, edges: readonly GraphEdge[]): StatusResponseInit {
  return { notice: { kind: 'edges', runId, edges: JSON.stringify(edges) } };
}

const HEALTH_LEVELS: readonly string[] = ['healthy', 'warning', 'error'] satisfies readonly HealthLevel[];

function isHealthLevel(level: string): level is HealthLevel {
  return HEALTH_LEVELS.includes(level);
}

function detailsOf(raw: StatusResponse_Details): NodeDetails {
  const health = raw.health;
  return {
    messages: raw.messages,
    changes: raw.changes,
    hasChanges: raw.hasChanges,
    error: raw.error,
    warning: raw.warning,
    ...(health === undefined || !isHealthLevel(health.level)
      ? {}
      : { health: { level: health.level, failingDependencies: health.failingDependencies } }),
  };
}

/** The engine event a StatusResponse stands for; the original's servers fill `id` only, ours `meta.id` too. */
export function nodeEventOf(message: StatusResponse): NodeEvent {
  const event = {
    id: message.meta?.id || message.id,
    stage: message.stage === 'APPLY' ? 'APPLY' : 'PLAN',
    run: message.run === 'FINISHED' ? 'FINISHED' : 'STARTED',
    pass: message.pass,
  } as const;
  if (message.details === undefined || event.run !== 'FINISHED') return event;
  return { ...event, details: detailsOf(message.details) };
}

/** A queue notice, or undefined when `notice` is of another kind (or absent). */
export function queuedNoticeOf(notice: Notice): QueuedNotice | undefined {
  if (notice.kind !== 'queued') return undefined;
  return { kind: 'queued', runId: notice.runId, behind: notice.behind, position: notice.position, text: notice.text };
}

/** The edge list of an `edges` notice. */
export function noticeEdges(notice: Notice): GraphEdge[] {
  return JSON.parse(notice.edges) as GraphEdge[];
}
