/**
 * The protocols behind the listener: grpc-js for HTTP/2 connections and node:http for HTTP/1.1, both
 * serving the same front door. Kept apart from server.ts because loading them (grpc-js, node:http2,
 * node:http and what they pull in) costs about 40 ms of CPU, which a `--local` run, whose own jobs never
 * touch the wire, pays only if something connects to its port.
 */
import http from 'node:http';
import type net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { FrontDoor } from './front-door.js';
import { addGrpcServices } from './grpc-service.js';
import { keepDuplicateCredentials } from './grpc-duplicate-headers.js';
import { installGrpcLogger } from './grpc-logging.js';
import { createHttpHandler, MAX_BODY_BYTES } from './http-routes.js';
import type { Logger } from './logger.js';
import { addRunsService } from './runs-grpc.js';
import type { ResolvedConnectionOptions } from './server-options.js';

export interface Transport {
  /** Hands over a connection whose first bytes are still unread. */
  dispatch(socket: net.Socket, isHttp2: boolean): void;
  /** Health says NOT_SERVING (shutdown has begun). */
  notServing(): void;
  /** Closes idle HTTP/1.1 keep-alive connections. */
  closeIdle(): void;
  /** Lets HTTP/2 sessions send what their streams wrote (trailers included), for up to `ms`. */
  finishStreams(ms: number): Promise<void>;
  /** Cuts every session and connection at once. */
  destroy(): void;
}

function ignore(): void {}

/** grpc-js with our timeouts: idle sessions (also those that never send a request) close; silent peers are pinged. */
function createGrpcServer(connections: ResolvedConnectionOptions): grpc.Server {
  return new grpc.Server({
    // Requests may carry a whole module inline (LoadRequest.content): gRPC takes the same size as an HTTP
    // body rather than grpc's 4 MiB default, and stays bounded so one request cannot take unbounded memory.
    'grpc.max_receive_message_length': MAX_BODY_BYTES,
    'grpc.max_connection_idle_ms': connections.idleTimeoutMs,
    'grpc.keepalive_time_ms': connections.grpcKeepaliveTimeMs,
    'grpc.keepalive_timeout_ms': connections.grpcKeepaliveTimeoutMs,
    // No max_connection_age: a connection that streams a long apply must not be cut in the middle.
  });
}

/** node:http with header, keep-alive and idle timeouts. Streams may last as long as an apply does. */
function createHttpServer(front: FrontDoor, connections: ResolvedConnectionOptions): http.Server {
  const server = http.createServer({
    requestTimeout: 0,
    headersTimeout: connections.headersTimeoutMs,
    keepAliveTimeout: connections.keepAliveTimeoutMs,
    // How often node:http looks for requests past headersTimeout; its 30 s default would let a
    // slowloris peer hold a socket half a minute longer than the timeout says.
    connectionsCheckingInterval: Math.max(250, Math.min(5000, Math.floor(connections.headersTimeoutMs / 4))),
  });
  server.on('request', createHttpHandler(front));
  server.timeout = connections.idleTimeoutMs;
  // node:http starts its headersTimeout checks on 'listening', and this server never listens (the
  // listener hands it connections). Without this, a slowloris peer was never timed out.
  server.emit('listening');
  return server;
}

export function createTransport(front: FrontDoor, connections: ResolvedConnectionOptions, logger: Logger): Transport {
  installGrpcLogger(logger);
  const grpcServer = createGrpcServer(connections);
  // The Runs service is built on grpc-service.ts's handlers, so it is added here rather than by it.
  addRunsService(grpcServer, front);
  const health = addGrpcServices(grpcServer, front);
  const injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  keepDuplicateCredentials(grpcServer);
  const httpServer = createHttpServer(front, connections);
  return {
    dispatch(socket, isHttp2) {
      if (isHttp2) {
        // node:http2 replays bytes already buffered on the socket (those the sniffing put back).
        injector.injectConnection(socket);
        return;
      }
      httpServer.emit('connection', socket);
      // node:http reads the socket's handle directly, which would skip the bytes the sniffing put back.
      // Adding a 'data' listener makes it fall back to reading through the stream (its own
      // "unconsume" path), and resume() then replays the buffered bytes first.
      socket.on('data', ignore);
      socket.resume();
    },
    notServing() {
      health.setStatus('', 'NOT_SERVING');
      health.setStatus('pb.Executor', 'NOT_SERVING');
    },
    closeIdle() {
      httpServer.closeIdleConnections();
    },
    async finishStreams(ms) {
      let timer: NodeJS.Timeout | undefined;
      const shutDown = new Promise<void>((resolve) => grpcServer.tryShutdown(() => resolve()));
      await Promise.race([shutDown, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
      clearTimeout(timer);
    },
    destroy() {
      injector.drain(0);
      injector.destroy();
      grpcServer.forceShutdown();
      httpServer.closeAllConnections();
      // Stops node:http's connection checks (the server itself never listened).
      httpServer.close(ignore);
    },
  };
}
