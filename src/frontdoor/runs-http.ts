/**
 * The Runs API over HTTP/1.1: `GET /api/v1/runs` (query: kind, outcome, since, module, page_size,
 * page_token), `GET /api/v1/runs/{id}`, and `GET /api/v1/runs/{id}/events?from=N`, which streams
 * NDJSON `{"result":StatusResponse}` lines as the executor routes do, or Server-Sent Events when the
 * client asks for `text/event-stream` (each event's `id:` is its seq, so a browser's EventSource
 * resumes where it was through Last-Event-ID).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConvergeError } from '../errors.js';
import type { EventSink, PumpResult } from './executor.js';
import type { FrontDoor } from './front-door.js';
import { interruptible } from './lifecycle.js';
import { httpReason, mapError } from './status-map.js';
import { getRun, listRuns } from './runs-view.js';
import { watchRun } from './runs-watch.js';
import type { RunsListRequest, StatusResponseInit } from './wire/pb-types.js';

function sendJson(response: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

function query(url: URL, ...names: string[]): string {
  for (const name of names) {
    const value = url.searchParams.get(name);
    if (value !== null) return value;
  }
  return '';
}

function count(text: string, field: string): number {
  if (text === '') return 0;
  if (!/^\d{1,9}$/.test(text)) throw new ConvergeError('CNV_ERR_SERVER_REQUEST_INVALID', `${field} must be a whole number >= 0, got "${text}"`, { field });
  return Number(text);
}

function listRequest(url: URL): RunsListRequest {
  return {
    kind: query(url, 'kind'),
    outcome: query(url, 'outcome'),
    since: query(url, 'since'),
    module: query(url, 'module'),
    pageSize: count(query(url, 'page_size', 'pageSize'), 'page_size'),
    pageToken: query(url, 'page_token', 'pageToken'),
  };
}

function errorBody(error: unknown): Record<string, unknown> {
  const mapped = mapError(error);
  return { grpc_code: mapped.grpc, http_code: mapped.http, message: mapped.message, http_status: httpReason(mapped.http) };
}

interface Framing {
  readonly contentType: string;
  message(message: StatusResponseInit): string;
  end(result: PumpResult): string;
}

const NDJSON: Framing = {
  contentType: 'application/json',
  message: (message) => `${JSON.stringify({ result: message })}\n`,
  end: (result) => (result.ok ? '' : `${JSON.stringify({ error: errorBody(result.error) })}\n`),
};

const SSE: Framing = {
  contentType: 'text/event-stream; charset=utf-8',
  message: (message) => `id: ${message.seq ?? 0}\nevent: status\ndata: ${JSON.stringify(message)}\n\n`,
  end: (result) => (result.ok ? 'event: end\ndata: {}\n\n' : `event: error\ndata: ${JSON.stringify(errorBody(result.error))}\n\n`),
};

function watchSink(response: ServerResponse, framing: Framing): EventSink<StatusResponseInit> {
  const gone = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) gone.abort();
  });
  return {
    gone: gone.signal,
    start(headers) {
      const head: Record<string, string> = { 'Content-Type': framing.contentType, 'Grpc-Metadata-Run-Id': headers.runId, 'Cache-Control': 'no-cache' };
      if (headers.edgesJson !== undefined) head['Grpc-Metadata-Edges'] = headers.edgesJson;
      response.writeHead(200, head);
    },
    write: (message) => response.write(framing.message(message)),
    drained: () =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          response.off('drain', done);
          gone.signal.removeEventListener('abort', done);
          resolve();
        };
        response.once('drain', done);
        gone.signal.addEventListener('abort', done, { once: true });
      }),
  };
}

/** `from`, else one past the browser's Last-Event-ID, else 1. */
function fromSeq(request: IncomingMessage, url: URL): number {
  const from = query(url, 'from', 'from_seq');
  if (from !== '') return count(from, 'from');
  const last = request.headers['last-event-id'];
  if (typeof last === 'string' && last !== '') return count(last, 'Last-Event-ID') + 1;
  return 1;
}

async function streamEvents(front: FrontDoor, id: string, request: IncomingMessage, url: URL, response: ServerResponse): Promise<void> {
  const framing = (request.headers.accept ?? '').includes('text/event-stream') ? SSE : NDJSON;
  const from = fromSeq(request, url);
  const client = watchSink(response, framing);
  // A live run may be silent for as long as a node takes.
  request.socket.setTimeout(0);
  const live = front.runs.get(id);
  const ticket = live === undefined ? undefined : front.lifecycle.track(live);
  try {
    const sink = ticket === undefined ? client : interruptible(client, ticket.interrupted);
    let result = await watchRun(front, id, from, sink);
    if (client.gone.aborted) return;
    if (ticket?.interrupted.aborted === true) result = { ok: false, error: ticket.interrupted.reason as ConvergeError, started: true };
    await new Promise<void>((resolve) => {
      response.once('close', () => resolve());
      response.end(framing.end(result), () => resolve());
    });
  } finally {
    ticket?.done();
  }
}

/** Serves a `Runs.*` route (already authenticated); `captured` is the path's {id}. */
export async function serveRunsRoute(front: FrontDoor, method: string, captured: string | undefined, url: URL, request: IncomingMessage, response: ServerResponse): Promise<void> {
  let id: string;
  try {
    id = decodeURIComponent(captured ?? '');
  } catch {
    throw new ConvergeError('CNV_ERR_SERVER_REQUEST_INVALID', 'run id is not valid percent-encoding', { field: 'id' });
  }
  if (method === 'Runs.List') return sendJson(response, listRuns(front, listRequest(url)));
  if (method === 'Runs.Get') return sendJson(response, getRun(front, id));
  return streamEvents(front, id, request, url, response);
}
