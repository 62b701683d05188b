/**
 * The HTTP/1.1 JSON side, the grpc-gateway routes of the original rebuilt from each method's
 * `(google.api.http)` option (generated into wire/pb-services.ts): NDJSON `{"result":…}` lines for streams (a failure after the headers is a
 * last `{"error":…}` line), `Grpc-Metadata-Edges` and `Grpc-Metadata-Run-Id` headers, and
 * `Accept: text/plain` for raw ContentResponse bodies. Plus two routes of our own for bootstrapping:
 * `/api/v1/resources/binary.sha256` and `/bootstrap.sh`.
 */
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { ConvergeError } from '../errors.js';
import type { JobKind } from '../protocol.js';
import { binaryDisabled, bootstrapScript } from './binary.js';
import { type EventSink, METHOD_KINDS, pumpGraph, pumpStatus, startJob } from './executor.js';
import type { FrontDoor } from './front-door.js';
import { moduleServingDisabled } from './modules.js';
import { interruptible } from './lifecycle.js';
import { countAuthRefusal } from './metrics.js';
import { logRefusal, socketPeer } from './refusals.js';
import { serveRunsRoute } from './runs-http.js';
import { httpReason, mapError, routeMissStatus } from './status-map.js';
import { proto3Json } from './wire/graph.js';
import { loadRequestFromJson } from './wire/load-request.js';
import type { GraphComponentInit, StatusResponseInit } from './wire/pb-types.js';
import { HTTP_RULES } from './wire/pb-services.js';

/** Largest request body (a LoadRequest may carry a module inline). */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

interface Route {
  readonly verb: string;
  readonly pattern: RegExp;
  /** `Service.Method` */
  readonly method: string;
}

/** Turns a google.api.http path template into a regex; `{name=**}` captures the rest of the path. */
function templateToRegExp(template: string): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      if (!part.startsWith('{')) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      return part.includes('**') ? '(.+)' : '([^/]+)';
    })
    .join('');
  return new RegExp(`^${source}$`);
}

function routesFromRules(): Route[] {
  return HTTP_RULES.map((rule) => ({ verb: rule.verb, pattern: templateToRegExp(rule.path), method: rule.method }));
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

function sendError(front: FrontDoor, request: IncomingMessage, response: ServerResponse, error: unknown): void {
  const method = `${request.method} ${request.url?.split('?')[0]}`;
  const peer = socketPeer(request.socket);
  const mapped = mapError(error);
  if (!mapped.known) front.logger.log('ERROR', 'unexpected error', { method, peer, error: String(error) });
  else logRefusal(front.logger, error, { peer, method });
  countAuthRefusal(front.metrics, error);
  if (response.headersSent) {
    response.end();
    return;
  }
  sendJson(response, mapped.http, { error: mapped.message, code: mapped.grpc, message: mapped.message });
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new ConvergeError('CNV_ERR_SERVER_REQUEST_INVALID', `request body is larger than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ConvergeError('CNV_ERR_SERVER_REQUEST_INVALID', 'request body is not valid JSON');
  }
}

function httpSink(response: ServerResponse): EventSink<StatusResponseInit | GraphComponentInit> {
  const gone = new AbortController();
  // 'close' also fires when the connection drops; listening on the socket instead would pile up
  // listeners on keep-alive connections.
  response.on('close', () => {
    if (!response.writableFinished) gone.abort();
  });
  return {
    gone: gone.signal,
    start(headers) {
      const head: Record<string, string> = { 'Content-Type': 'application/json', 'Grpc-Metadata-Run-Id': headers.runId };
      if (headers.edgesJson !== undefined) head['Grpc-Metadata-Edges'] = headers.edgesJson;
      if (headers.edgesOmitted !== undefined) head['Grpc-Metadata-Edges-Omitted'] = String(headers.edgesOmitted);
      response.writeHead(200, head);
    },
    write: (message) => response.write(`${JSON.stringify({ result: proto3Json(message) })}\n`),
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

function errorLine(error: unknown): string {
  const mapped = mapError(error);
  const line = { grpc_code: mapped.grpc, http_code: mapped.http, message: mapped.message, http_status: httpReason(mapped.http) };
  return `${JSON.stringify({ error: line })}\n`;
}

async function streamJob(front: FrontDoor, kind: JobKind, request: IncomingMessage, response: ServerResponse, who: string): Promise<void> {
  const load = loadRequestFromJson(await readBody(request));
  front.lifecycle.admit();
  const client = httpSink(response);
  const spec = front.spec(kind, load, request.headers.host);
  const { run } = startJob(front, spec, client.gone, { who, peer: socketPeer(request.socket) });
  // A run may be silent for as long as a node takes; the idle timeout is for connections with no job.
  request.socket.setTimeout(0);
  const ticket = front.lifecycle.track(run);
  try {
    const sink = interruptible(client, ticket.interrupted);
    const result = kind === 'graph' ? await pumpGraph(run, sink) : await pumpStatus(run, sink, load.acceptNotices);
    if (ticket.interrupted.aborted && !client.gone.aborted) {
      if (!response.headersSent) throw ticket.interrupted.reason;
      await endResponse(response, errorLine(ticket.interrupted.reason));
      return;
    }
    if (sink.gone.aborted) return;
    if (result.ok) {
      await endResponse(response);
      return;
    }
    if (!result.started) throw result.error;
    await endResponse(response, errorLine(result.error));
  } finally {
    ticket.done();
  }
}

/** Ends the response and waits until it is flushed (or the client is gone), so a shutdown cuts nothing. */
function endResponse(response: ServerResponse, last?: string): Promise<void> {
  return new Promise<void>((resolve) => {
    response.once('close', () => resolve());
    response.end(last, () => resolve());
  });
}

function sendContent(request: IncomingMessage, response: ServerResponse, content: string): void {
  if ((request.headers.accept ?? '').includes('text/plain')) {
    response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(content) });
    response.end(content);
    return;
  }
  sendJson(response, 200, { content });
}

async function sendBinary(front: FrontDoor, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (front.binary === null) throw binaryDisabled();
  const sha256 = await front.binary.sha256();
  const gzip = /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
  const file = gzip ? await front.binary.gzipFile() : front.binary.file;
  const head: Record<string, string> = {
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': 'attachment; filename="converge"',
    'X-Converge-Sha256': sha256,
  };
  if (gzip) head['Content-Encoding'] = 'gzip';
  response.writeHead(200, head);
  await pipeline(createReadStream(file), response).catch(() => {
    // The client went away mid-download; nothing to report to it.
  });
}

/** A host name, an IPv4 address or a bracketed IPv6 address, with an optional port: nothing a shell reads. */
const PLAIN_HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The origin /bootstrap.sh points at: the one the client used, so it works behind any name or address.
 * The Host header is the client's word, and it ends up in a shell script, so only a plain host[:port]
 * is accepted; anything else (`x$(id)`) is refused before a script is built.
 */
function origin(front: FrontDoor, request: IncomingMessage, localPort: number | undefined): string {
  const host = request.headers.host ?? `127.0.0.1:${localPort ?? 4774}`;
  if (!PLAIN_HOST.test(host)) {
    throw new ConvergeError('CNV_ERR_SERVER_REQUEST_INVALID', 'the Host header is not a plain host[:port]; /bootstrap.sh is not built for it', {
      field: 'Host',
    });
  }
  return `${front.scheme}://${host}`;
}

/**
 * 404 for a path no route has, 405 (with `Allow`) for a known path asked with another verb. The body
 * says which, in grpc-gateway's shape, so `curl` without `-d` learns that the route wants POST.
 */
function sendRouteMiss(response: ServerResponse, verb: string, pathname: string, allowed: ReadonlySet<string>): void {
  const miss = routeMissStatus(allowed.size > 0);
  const verbs = [...allowed].sort().join(', ');
  const message =
    allowed.size > 0 ? `${verb} is not allowed on ${pathname}; use ${verbs}` : `no route for ${verb} ${pathname}`;
  if (allowed.size > 0) response.setHeader('Allow', verbs);
  sendJson(response, miss.http, { error: message, code: miss.grpc, message });
}

/** Builds the request listener for the HTTP/1.1 side. */
export function createHttpHandler(front: FrontDoor): (request: IncomingMessage, response: ServerResponse) => void {
  const routes = routesFromRules();
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    // node:http applies its own timeout to a socket's first request only; every request gets it here.
    request.socket.setTimeout(front.idleTimeoutMs);
    const url = new URL(request.url ?? '/', 'http://converge.invalid');
    const verb = request.method ?? 'GET';
    if (verb === 'GET' && url.pathname === '/bootstrap.sh') {
      // Public on purpose: it holds no secret, and a new machine has no way to sign a request yet.
      const script = bootstrapScript(origin(front, request, request.socket.localPort));
      response.writeHead(200, { 'Content-Type': 'text/x-shellscript; charset=utf-8' });
      response.end(script);
      return;
    }
    let route: Route | undefined;
    let captured: string | undefined;
    const allowed = new Set<string>();
    for (const candidate of routes) {
      const match = candidate.pattern.exec(url.pathname);
      if (match === null) continue;
      allowed.add(candidate.verb);
      if (candidate.verb === verb) {
        route = candidate;
        captured = match[1];
        break;
      }
    }
    const checksum = verb === 'GET' && url.pathname === '/api/v1/resources/binary.sha256';
    if (route === undefined && !checksum) {
      sendRouteMiss(response, verb, url.pathname, allowed);
      return;
    }
    const who = await front.auth.checkHttp(request, url);
    if (checksum) {
      if (front.binary === null) throw binaryDisabled();
      response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(`${await front.binary.sha256()}  converge\n`);
      return;
    }
    const method = route!.method;
    if (method === 'Info.Ping') return sendJson(response, 200, {});
    if (method === 'ResourceHost.GetBinary') return sendBinary(front, request, response);
    if (method === 'ResourceHost.GetModule') {
      if (front.modules === null) throw moduleServingDisabled();
      let location: string;
      try {
        location = decodeURIComponent(captured ?? '');
      } catch {
        throw new ConvergeError('CNV_ERR_MODULE_PATH', 'module location is not valid percent-encoding');
      }
      return sendContent(request, response, await front.modules.read(location));
    }
    if (method.startsWith('Runs.')) return serveRunsRoute(front, method, captured, url, request, response);
    if (method === 'Grapher.Graph') return streamJob(front, 'graph', request, response, who);
    const kind = METHOD_KINDS[method.slice('Executor.'.length) as keyof typeof METHOD_KINDS];
    if (kind !== undefined) return streamJob(front, kind, request, response, who);
    sendRouteMiss(response, verb, url.pathname, new Set());
  };
  return (request, response) => {
    handle(request, response).catch((error: unknown) => sendError(front, request, response, error));
  };
}
