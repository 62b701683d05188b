/**
 * The gRPC side: Executor, Grapher, ResourceHost and Info from converge.proto, plus the standard health
 * and reflection services (unauthenticated: they reveal only the schema) so that `grpcurl list` works
 * with no proto files.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { MAX_GRPC_ERROR_BYTES } from '../defaults.js';
import { ConvergeError } from '../errors.js';
import type { JobKind } from '../protocol.js';
import { type EventSink, METHOD_KINDS, pumpGraph, pumpStatus, startJob, type PumpResult } from './executor.js';
import type { FrontDoor } from './front-door.js';
import { parseLoadRequest, type LoadRequest } from './messages.js';
import { binaryDisabled } from './binary.js';
import { moduleServingDisabled } from './modules.js';
import { interruptible } from './lifecycle.js';
import { loadConvergeProto } from './proto.js';
import { addLazyReflection } from './reflection.js';
import { ERROR_CODE_METADATA, mapError } from './status-map.js';

/** Messages buffered per gRPC client before the pump waits for it to drain. */
export const MAX_BUFFERED_MESSAGES = 256;

type StreamCall = grpc.ServerWritableStream<Record<string, unknown>, Record<string, unknown>>;
type UnaryCall = grpc.ServerUnaryCall<Record<string, unknown>, Record<string, unknown>>;
type UnaryCallback = grpc.sendUnaryData<Record<string, unknown>>;

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

function toServiceError(front: FrontDoor, error: unknown, method: string): Partial<grpc.ServiceError> {
  const mapped = mapError(error);
  if (!mapped.known) front.logger.log('ERROR', 'unexpected error', { method, error: String(error) });
  const details = boundedDetails(mapped.message);
  if (details !== mapped.message) front.logger.log('INFO', 'error message cut for the gRPC client', { method, error: mapped.message });
  const metadata = new grpc.Metadata();
  if (mapped.code !== undefined) metadata.set(ERROR_CODE_METADATA, mapped.code);
  return { code: mapped.grpc, details, metadata };
}

function grpcSink(call: StreamCall): EventSink {
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

function finishStream(front: FrontDoor, call: StreamCall, result: PumpResult, method: string): void {
  if (call.cancelled) return;
  if (result.ok) call.end();
  else call.emit('error', toServiceError(front, result.error, method));
}

function streamHandler(front: FrontDoor, kind: JobKind, method: string): grpc.handleServerStreamingCall<unknown, unknown> {
  return (raw) => {
    const call = raw as StreamCall;
    void (async () => {
      let request: LoadRequest;
      try {
        await front.auth.checkGrpc(call.metadata);
        request = parseLoadRequest(call.request);
      } catch (error) {
        call.emit('error', toServiceError(front, error, method));
        return;
      }
      const client = grpcSink(call);
      try {
        front.lifecycle.admit();
        const spec = front.spec(kind, request, call.getHost());
        const { run } = startJob(front, spec, client.gone);
        const ticket = front.lifecycle.track(run);
        try {
          const sink = interruptible(client, ticket.interrupted);
          const result = kind === 'graph' ? await pumpGraph(run, sink, true) : await pumpStatus(run, sink, request.acceptNotices);
          if (ticket.interrupted.aborted && !call.cancelled) call.emit('error', toServiceError(front, ticket.interrupted.reason, method));
          else finishStream(front, call, result, method);
        } finally {
          ticket.done();
        }
      } catch (error) {
        if (!call.cancelled) call.emit('error', toServiceError(front, error, method));
      }
    })();
  };
}

function unaryHandler(
  front: FrontDoor,
  method: string,
  body: (request: Record<string, unknown>) => Promise<Record<string, unknown>>,
): grpc.handleUnaryCall<unknown, unknown> {
  return (raw, callback) => {
    const call = raw as UnaryCall;
    const reply = callback as UnaryCallback;
    void (async () => {
      try {
        await front.auth.checkGrpc(call.metadata);
        reply(null, await body(call.request));
      } catch (error) {
        reply(toServiceError(front, error, method));
      }
    })();
  };
}

/** Registers every service on `server`. Returns the health implementation for status changes. */
export function addGrpcServices(server: grpc.Server, front: FrontDoor): HealthImplementation {
  const proto = loadConvergeProto();
  const executor: grpc.UntypedServiceImplementation = {};
  for (const [method, kind] of Object.entries(METHOD_KINDS)) executor[method] = streamHandler(front, kind, `Executor.${method}`);
  server.addService(proto.pb.Executor.service, executor);
  server.addService(proto.pb.Grapher.service, { Graph: streamHandler(front, 'graph', 'Grapher.Graph') });
  server.addService(proto.pb.Info.service, { Ping: unaryHandler(front, 'Info.Ping', async () => ({})) });
  server.addService(proto.pb.ResourceHost.service, {
    GetModule: unaryHandler(front, 'ResourceHost.GetModule', async (request) => {
      if (front.modules === null) throw moduleServingDisabled();
      const location = typeof request['location'] === 'string' ? request['location'] : '';
      return { content: await front.modules.read(location) };
    }),
    // The executable is ~100 MB and not valid UTF-8, so it cannot travel in ContentResponse.content
    // (a proto3 string). It is served over HTTP only.
    GetBinary: unaryHandler(front, 'ResourceHost.GetBinary', async () => {
      if (front.binary === null) throw binaryDisabled();
      throw binaryOverHttpOnly();
    }),
  });
  const health = new HealthImplementation({ '': 'SERVING', 'pb.Executor': 'SERVING' });
  health.addToServer(server);
  // Reflection describes the health service too, so `grpcurl list` shows everything that is served.
  addLazyReflection(server, () => ({ ...proto.definition, ...protoLoader.loadSync(healthProtoPath, { keepCase: true }) }));
  return health;
}

function binaryOverHttpOnly(): ConvergeError {
  return new ConvergeError(
    'CNV_ERR_BINARY_DISABLED',
    'the binary is served over HTTP only: GET /api/v1/resources/binary (too large for one gRPC message)',
  );
}
