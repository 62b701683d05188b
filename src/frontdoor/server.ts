/**
 * `converge server`: gRPC and HTTP/1.1 JSON on one TCP port, as the original served them. The
 * listener reads the first bytes of each plaintext connection: the HTTP/2 preface goes to grpc-js
 * through its connection injector, anything else to a node:http server. Under TLS the ALPN result
 * decides instead (clients that offer http/1.1, such as curl, get it; gRPC clients offer only h2).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { DEFAULT_PARALLELISM, DEFAULT_PORT } from '../defaults.js';
import { ConvergeError } from '../errors.js';
import { WorkerPool, resolveWorkerPoolOptions, type WorkerPoolOptions } from '../workers/pool.js';
import { Authenticator } from './auth.js';
import { BinaryServer, defaultBinaryPath } from './binary.js';
import { specFor } from './front-door.js';
import type { FrontDoor } from './front-door.js';
import { addGrpcServices } from './grpc-service.js';
import { createHttpHandler, MAX_BODY_BYTES } from './http-routes.js';
import { JobQueue, type JobQueueOptions } from './job-queue.js';
import { createLogger, type Logger } from './logger.js';
import { ModuleRoot } from './modules.js';
import { RunRegistry } from './runs.js';
import { loadServerTls, serverSecureOptions, type TlsFiles } from './tls.js';

export interface ServerOptions {
  /** Interface to listen on. @default '0.0.0.0' */
  readonly host?: string;
  /** TCP port; 0 picks a free one. @default 4774 */
  readonly port?: number;
  /** The RPC token (HS512 key). Without it and without `noToken`, a random one is generated and logged once. */
  readonly token?: string;
  /** Run without authentication. Logged loudly. @default false */
  readonly noToken?: boolean;
  /** Serve over TLS with these files. */
  readonly tls?: TlsFiles;
  /** Directory to serve modules from; module serving is off without it. */
  readonly root?: string;
  /** Serve the converge executable: true for the running one, or a path. @default false */
  readonly selfServe?: boolean | string;
  /** A pool to run jobs on; otherwise the server creates (and closes) its own. */
  readonly pool?: WorkerPool;
  /** The owned pool's threads and their limits (ignored with `pool`). */
  readonly workers?: WorkerPoolOptions;
  readonly queue?: JobQueueOptions;
  readonly logger?: Logger;
  /** Directory that relative module locations resolve against. @default process.cwd() */
  readonly cwd?: string;
  /** Nodes checked or applied at once, per job. @default 16 */
  readonly parallelism?: number;
}

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  /** `http://host:port` or `https://host:port` (a wildcard host is shown as 127.0.0.1). */
  readonly url: string;
  /** The token in force; null with noToken. */
  readonly token: string | null;
  /** Stops accepting, disconnects clients, waits for running applies, closes an owned pool. */
  close(): Promise<void>;
}

function ignore(): void {}

const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n');

/** Calls `decide` with whether the connection starts with the HTTP/2 preface, then puts the bytes back. */
function sniff(socket: net.Socket, decide: (isHttp2: boolean) => void): void {
  let seen: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const n = Math.min(seen.length, HTTP2_PREFACE.length);
    const matches = seen.subarray(0, n).equals(HTTP2_PREFACE.subarray(0, n));
    if (matches && n < HTTP2_PREFACE.length) return;
    socket.off('data', onData);
    socket.off('error', onError);
    socket.pause();
    socket.unshift(seen);
    decide(matches);
  };
  const onError = (): void => {
    socket.destroy();
  };
  socket.on('data', onData);
  socket.on('error', onError);
}

function originsFor(host: string, port: number, scheme: string): string[] {
  const hosts = new Set<string>(['127.0.0.1', 'localhost']);
  if (host === '0.0.0.0' || host === '::' || host === '') {
    for (const addresses of Object.values(os.networkInterfaces())) {
      for (const address of addresses ?? []) hosts.add(address.family === 'IPv6' ? `[${address.address}]` : address.address);
    }
  } else {
    hosts.add(host.includes(':') ? `[${host}]` : host);
  }
  return [...hosts].map((h) => `${scheme}://${h}:${port}`);
}

function listen(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new ConvergeError(
            'CNV_ERR_SERVER_ADDRESS_IN_USE',
            `cannot listen on ${host}:${port}: the address is already in use (another converge or another program holds it)`,
            { host, port },
          ),
        );
      } else {
        reject(new ConvergeError('CNV_ERR_SERVER_UNREACHABLE', `cannot listen on ${host}:${port}: ${error.message}`));
      }
    };
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/** Room on the threads for every job the queue lets run, plus the one apply, so piscina never queues. */
function poolOptionsFor(workers: WorkerPoolOptions = {}, maxRunning: number): WorkerPoolOptions {
  const threads = resolveWorkerPoolOptions(workers).threads;
  return { ...workers, threads, jobsPerThread: workers.jobsPerThread ?? Math.ceil((maxRunning + 1) / threads) };
}

/** Starts the server and resolves once it is listening. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '0.0.0.0';
  const logger = options.logger ?? createLogger();
  const scheme = options.tls === undefined ? 'http' : 'https';
  let token: string | null;
  if (options.noToken === true) {
    token = null;
    logger.log('WARN', 'no token set, server is unauthenticated. This should *only* be used for development.', {});
  } else if (options.token !== undefined && options.token !== '') {
    token = options.token;
  } else {
    token = randomUUID();
    logger.log('WARN', 'setting session-local token', { token });
  }
  const loadedTls = options.tls === undefined ? undefined : loadServerTls(options.tls);
  const binary =
    options.selfServe === undefined || options.selfServe === false
      ? null
      : new BinaryServer(options.selfServe === true ? defaultBinaryPath() : options.selfServe);
  if (binary !== null) await binary.check();

  const ownsPool = options.pool === undefined;
  const queue = new JobQueue(options.queue);
  const pool = options.pool ?? new WorkerPool(poolOptionsFor(options.workers, queue.options.maxRunning));
  const specDefaults = {
    cwd: options.cwd ?? process.cwd(),
    parallelism: options.parallelism ?? DEFAULT_PARALLELISM,
    token,
    scheme,
    origins: [] as string[],
  } as const;
  const front: FrontDoor = {
    pool,
    queue,
    runs: new RunRegistry(),
    logger,
    auth: new Authenticator(token),
    modules: options.root === undefined ? null : new ModuleRoot(options.root),
    binary,
    scheme,
    spec: (kind, request, requestHost) => specFor(specDefaults, kind, request, requestHost),
  };

  // Requests may carry a whole module inline (LoadRequest.content): gRPC takes the same size as an HTTP
  // body rather than grpc's 4 MiB default, and stays bounded so one request cannot take unbounded memory.
  const grpcServer = new grpc.Server({ 'grpc.max_receive_message_length': MAX_BODY_BYTES });
  addGrpcServices(grpcServer, front);
  const injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const httpServer = http.createServer(createHttpHandler(front));
  // Streams may last as long as an apply does.
  httpServer.requestTimeout = 0;
  const sockets = new Set<net.Socket>();
  const dispatch = (socket: net.Socket, isHttp2: boolean): void => {
    if (isHttp2) {
      // node:http2 replays bytes already buffered on the socket (those sniff() put back).
      injector.injectConnection(socket);
      return;
    }
    httpServer.emit('connection', socket);
    // node:http reads the socket's handle directly, which would skip the bytes sniff() put back.
    // Adding a 'data' listener makes it fall back to reading through the stream (its own
    // "unconsume" path), and resume() then replays the buffered bytes first.
    socket.on('data', ignore);
    socket.resume();
  };
  const track = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  let listener: net.Server;
  if (loadedTls === undefined) {
    listener = net.createServer((socket) => {
      track(socket);
      sniff(socket, (isHttp2) => dispatch(socket, isHttp2));
    });
  } else {
    listener = tls.createServer({
      ...serverSecureOptions(loadedTls),
      // Prefer http/1.1 when offered: curl and browsers offer both, gRPC clients offer only h2.
      ALPNCallback: ({ protocols }) => (protocols.includes('http/1.1') ? 'http/1.1' : protocols.includes('h2') ? 'h2' : undefined),
    });
    listener.on('secureConnection', (socket: tls.TLSSocket) => {
      track(socket);
      if (socket.alpnProtocol === 'h2') dispatch(socket, true);
      else if (socket.alpnProtocol === 'http/1.1') dispatch(socket, false);
      else sniff(socket, (isHttp2) => dispatch(socket, isHttp2));
    });
    listener.on('tlsClientError', (error) => logger.log('DEBUG', 'TLS handshake failed', { error: error.message }));
  }

  let port: number;
  try {
    port = await listen(listener, host, options.port ?? DEFAULT_PORT);
  } catch (error) {
    injector.destroy();
    grpcServer.forceShutdown();
    if (ownsPool) await pool.close();
    throw error;
  }
  specDefaults.origins.push(...originsFor(host, port, scheme));
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `${scheme}://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  logger.log('INFO', 'serving', { addr: `${host}:${port}`, component: 'rpc', tls: scheme === 'https' });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const listenerClosed = new Promise<void>((resolve) => listener.close(() => resolve()));
      injector.drain(0);
      injector.destroy();
      grpcServer.forceShutdown();
      httpServer.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await listenerClosed;
      // Started applies run to completion (see executor.ts); wait for them before the pool goes.
      await queue.idle();
      if (ownsPool) await pool.close();
      logger.log('INFO', 'server stopped', { addr: `${host}:${port}` });
    })();
    return closing;
  };
  return { host, port, url, token, close };
}
