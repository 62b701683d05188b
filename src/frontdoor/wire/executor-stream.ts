/**
 * An executor call as the client sees it: the StatusResponse stream and its header metadata (`run-id`,
 * `edges`) become StreamItems, with `start` exactly once before any node. A large edge list arrives
 * as an `edges` notice instead of the header.
 */
import type { GraphEdge, LoadingProgress, NodeEvent } from '../../protocol.js';
import type { QueuedNotice } from '../runs.js';
import type { StatusResponse } from './pb-types.js';
import { loadingOf, nodeEventOf, noticeEdges, queuedNoticeOf } from './status.js';

/** One item of an executor stream. `start` comes exactly once, before any `node`. */
export type StreamItem =
  | { readonly type: 'queued'; readonly notice: QueuedNotice }
  | { readonly type: 'loading'; readonly runId: string; readonly progress: LoadingProgress }
  | { readonly type: 'start'; readonly runId: string; readonly edges: readonly GraphEdge[] }
  | { readonly type: 'node'; readonly seq: number; readonly event: NodeEvent }
  | { readonly type: 'saved-plan'; readonly runId: string; readonly text: string };

/** The header metadata of a stream, as far as it is needed here. */
export interface StreamHeader {
  get(key: string): unknown[];
}

function startFromHeader(header: StreamHeader | undefined): StreamItem {
  const edges = header?.get('edges')[0];
  return {
    type: 'start',
    runId: String(header?.get('run-id')[0] ?? ''),
    edges: typeof edges === 'string' ? (JSON.parse(edges) as GraphEdge[]) : [],
  };
}

/**
 * Turns the messages of one call into items. `header` is read when the first node arrives (grpc-js
 * emits the header metadata before the first message).
 */
export async function* streamItems(messages: AsyncIterable<StatusResponse>, header: () => StreamHeader | undefined): AsyncGenerator<StreamItem> {
  let started = false;
  for await (const message of messages) {
    const notice = message.notice;
    if (notice !== undefined && notice.kind !== '') {
      if (notice.kind === 'edges') {
        started = true;
        yield { type: 'start', runId: notice.runId, edges: noticeEdges(notice) };
      } else if (notice.kind === 'loading') {
        yield { type: 'loading', runId: notice.runId, progress: loadingOf(notice)! };
      } else if (notice.kind === 'saved-plan') {
        yield { type: 'saved-plan', runId: notice.runId, text: notice.text };
      } else {
        const queued = queuedNoticeOf(notice);
        if (queued !== undefined) yield { type: 'queued', notice: queued };
      }
      continue;
    }
    if (!started) {
      started = true;
      yield startFromHeader(header());
    }
    yield { type: 'node', seq: message.seq, event: nodeEventOf(message) };
  }
  // A run with no nodes still announces itself.
  if (!started && header() !== undefined) yield startFromHeader(header());
}
