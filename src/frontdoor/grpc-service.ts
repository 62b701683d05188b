/**
 * The gRPC side: Executor, Grapher, ResourceHost and Info from converge.proto (encoded by the codecs
 * generated into wire/), plus the standard health and reflection services (reflection.ts).
 */
import * as grpc from '@grpc/grpc-js';
import { MAX_GRPC_ERROR_BYTES } from '../defaults.js';
import { ConvergeError } from '../errors.js';
import type { JobKind } from '../protocol.js';
import { type EventSink, METHOD_KINDS, pumpGraph, pumpStatus, startJob, type PumpResult } from './executor.js';
import type { FrontDoor } from './front-door.js';
import { binaryDisabled } from './binary.js';
import { moduleServingDisabled } from './modules.js';
import { interruptible } from './lifecycle.js';
import { addStandardServices, type StandardServices } from './reflection.js';
import { countAuthRefusal } from './metrics.js';
import { grpcPeer, logRefusal } from './refusals.js';
import { ERROR_CODE_METADATA, mapError } from './status-map.js';
import { checkLoadRequest, type LoadRequest } from './wire/load-request.js';
import type { ContentResponseInit, EmptyInit, GraphComponentInit, StatusResponseInit } from './wire/pb-types.js';
import { ExecutorService, GrapherService, InfoService, ResourceHostService } from './wire/pb-services.js';

/** Messages buffered per gRPC client before the pump waits for it to drain. */
export const MAX_BUFFERED_MESSAGES = 256;

type Outgoing = StatusResponseInit | GraphComponentInit;
type StreamCall = grpc.ServerWritableStream<unknown, Outgoing>;

/**
 * The status message as sent: cut at MAX_GRPC_ERROR_BYTES of UTF-8 with a marker. grpc-js percent-encodes
 * it into the grpc-message header, and a header list past the client's limit (~64 KiB) never arrives,
 * which left the client waiting forever. The full text goes to the server log.
 */
export function boundedDetails(message: string, limit = MAX_GRPC_ERROR_BYTES): string {
  const bytes = Buffer.from(message, 'utf8');
  if (bytes.length <= limit) return message;
  // Cut on a character boundary: decoding a cut sequence would add U+FFFD.
  let end = limit;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end -= 1;
  return `${bytes.subarray(0, end).toString('utf8')}… [message cut at ${limit} of ${bytes.length} bytes; the server log has it all]`;
}

export function toServiceError(front: FrontDoor, error: unknown, method: string, peer: string): Partial<grpc.ServiceError> {
  const mapped = mapError(error);
  if (!mapped.known) front.logger.log('ERROR', 'unexpected error', { method, peer, error: String(error) });
  else logRefusal(front.logger, error, { peer, method });
  countAuthRefusal(front.metrics, error);
  const details = boundedDetails(mapped.message);
  if (details !== mapped.message) front.logger.log('INFO', 'error message cut for the gRPC client', { method, error: mapped.message });
  const metadata = new grpc.Metadata();
  if (mapped.code !== undefined) metadata.set(ERROR_CODE_METADATA, mapped.code);
  return { code: mapped.grpc, details, metadata };
}

/** What grpc-js's server stream writes each message through (not in its typings). */
interface MessageSender {
  sendMessage(message: unknown, callback: () => void): void;
}

/**
 * grpc-js's server stream passes each message to HTTP/2 alone and waits until it is written before it
 * takes the next: a 100-node plan cost 200 turns of the event loop and 200 socket writes, most of the
 * front door's time under many clients. Given a _writev, the stream hands over every message that
 * queued up meanwhile in one go; HTTP/2 then packs them into shared DATA frames and one write. Without
 * the inner call (another grpc-js), messages simply go one at a time as before.
 */
function sendQueuedTogether(call: StreamCall): void {
  const inner = (call as unknown as { call?: Partial<MessageSender> }).call;
  if (typeof inner?.sendMessage !== 'function') return;
  const sender = inner as MessageSender;
  const writev = (chunks: Array<{ chunk: unknown }>, callback: () => void): void => {
    let left = chunks.length;
    const one = (): void => {
      if ((left -= 1) === 0) callback();
    };
    for (const { chunk } of chunks) sender.sendMessage(chunk, one);
  };
  Object.defineProperty(call, '_writev', { value: writev, configurable: true, writable: true });
}

export function grpcSink(call: StreamCall): EventSink<Outgoing> {
  sendQueuedTogether(call);
  const gone = new AbortController();
  const onGone = (): void => gone.abort();
  call.on('cancelled', onGone);
  call.on('close', onGone);
  return {
    gone: gone.signal,
    start(headers) {
      const metadata = new grpc.Metadata();
      metadata.set('run-id', headers.runId);
      if (headers.edgesJson !== undefined) metadata.set('edges', headers.edgesJson);
      if (headers.edgesOmitted !== undefined) metadata.set('edges-omitted', String(headers.edgesOmitted));
      call.sendMetadata(metadata);
    },
    // grpc-js's stream buffers only 16 messages before asking for a drain, which turns every few events
    // into a round trip through the event loop. A client may instead have up to this many messages
    // buffered before the pump waits: still a fixed bound per client.
    write: (message) => {
      call.write(message);
      return call.writableLength < MAX_BUFFERED_MESSAGES;
    },
    drained: () =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          call.off('drain', done);
          gone.signal.removeEventListener('abort', done);
          resolve();
        };
        call.once('drain', done);
        gone.signal.addEventListener('abort', done, { once: true });
      }),
  };
}

export function finishStream(front: FrontDoor, call: StreamCall, result: PumpResult, method: string, peer: string): void {
  if (call.cancelled) return;
  if (result.ok) call.end();
  else call.emit('error', toServiceError(front, result.error, method, peer));
}

function streamHandler(front: FrontDoor, kind: JobKind, method: string): grpc.handleServerStreamingCall<LoadRequest, Outgoing> {
  return (call) => {
    const peer = grpcPeer(call.getPeer());
    void (async () => {
      let request: LoadRequest;
      let who: string;
      try {
        who = await front.auth.checkGrpc(call.metadata);
        request = checkLoadRequest(call.request);
      } catch (error) {
        call.emit('error', toServiceError(front, error, method, peer));
        return;
      }
      const client = grpcSink(call);
      try {
        front.lifecycle.admit();
        const spec = front.spec(kind, request, call.getHost());
        const { run } = startJob(front, spec, client.gone, { who, peer });
        const ticket = front.lifecycle.track(run);
        try {
          const sink = interruptible(client, ticket.interrupted);
          const result = kind === 'graph' ? await pumpGraph(run, sink) : await pumpStatus(run, sink, request.acceptNotices);
          if (ticket.interrupted.aborted && !call.cancelled) call.emit('error', toServiceError(front, ticket.interrupted.reason, method, peer));
          else finishStream(front, call, result, method, peer);
        } finally {
          ticket.done();
        }
      } catch (error) {
        if (!call.cancelled) call.emit('error', toServiceError(front, error, method, peer));
      }
    })();
  };
}

export function unaryHandler<Req, Res>(front: FrontDoor, method: string, body: (request: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    void (async () => {
      try {
        await front.auth.checkGrpc(call.metadata);
        callback(null, await body(call.request));
      } catch (error) {
        callback(toServiceError(front, error, method, grpcPeer(call.getPeer())));
      }
    })();
  };
}

/**
 * Registers every service on `server`: Converge's own, then health and reflection (loaded on first use).
 * Returns the health statuses, which shutdown turns to NOT_SERVING.
 */
export function addGrpcServices(server: grpc.Server, front: FrontDoor): StandardServices {
  const executor: grpc.UntypedServiceImplementation = {};
  for (const [method, kind] of Object.entries(METHOD_KINDS)) executor[method] = streamHandler(front, kind, `Executor.${method}`);
  server.addService(ExecutorService, executor);
  server.addService(GrapherService, { Graph: streamHandler(front, 'graph', 'Grapher.Graph') });
  server.addService(InfoService, { Ping: unaryHandler(front, 'Info.Ping', async (): Promise<EmptyInit> => ({})) });
  server.addService(ResourceHostService, {
    GetModule: unaryHandler(front, 'ResourceHost.GetModule', async (request: LoadRequest): Promise<ContentResponseInit> => {
      if (front.modules === null) throw moduleServingDisabled();
      return { content: await front.modules.read(request.location) };
    }),
    // The executable is ~100 MB and not valid UTF-8, so it cannot travel in ContentResponse.content
    // (a proto3 string). It is served over HTTP only.
    GetBinary: unaryHandler(front, 'ResourceHost.GetBinary', async (): Promise<ContentResponseInit> => {
      if (front.binary === null) throw binaryDisabled();
      throw binaryOverHttpOnly();
    }),
  });
  return addStandardServices(server);
}

function binaryOverHttpOnly(): ConvergeError {
  return new ConvergeError(
    'CNV_ERR_BINARY_DISABLED',
    'the binary is served over HTTP only: GET /api/v1/resources/binary (too large for one gRPC message)',
  );
}
