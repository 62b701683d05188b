/**
 * `converge server`: gRPC and HTTP/1.1 JSON on one TCP port, as the original served them. This file
 * assembles the parts (listener.ts takes connections, grpc-js and node:http serve them, the executor
 * runs jobs) and owns the order in which they stop: close() for tests and --local, shutdown() for
 * SIGTERM, which lets running jobs finish first.
 */
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import * as grpc from '@grpc/grpc-js';
import { ConvergeError, toWire } from '../errors.js';
import type { JobOutcome, JobSpec, WorkerMessage } from '../protocol.js';
import type { JobPool } from '../workers/inline-pool.js';
import type { WorkerPoolOptions } from '../workers/pool.js';
import { Authenticator, resolveToken } from './auth.js';
import { BinaryServer, defaultBinaryPath } from './binary.js';
import { runInProcess, type InProcessNotice } from './executor.js';
import { specFor } from './front-door.js';
import { PlanSigner } from './plan-signing.js';
import { savedPlanSpec } from './saved-plans.js';
import type { FrontDoor } from './front-door.js';
import { addGrpcServices } from './grpc-service.js';
import { addRunsService } from './runs-grpc.js';
import { installGrpcLogger } from './grpc-logging.js';
import { createHttpHandler, MAX_BODY_BYTES } from './http-routes.js';
import { JobQueue } from './job-queue.js';
import { Lifecycle } from './lifecycle.js';
import { createListener } from './listener.js';
import { createLogger } from './logger.js';
import { ModuleRoot } from './modules.js';
import { keepDuplicateCredentials } from './grpc-duplicate-headers.js';
import { RunRegistry } from './runs.js';
import { openPersistedRuns } from './runs-persist.js';
import { resolveServerOptions, type ResolvedConnectionOptions, type ServerOptions } from './server-options.js';
import { loadServerTls } from './tls.js';

export type { ConnectionOptions, ServerOptions } from './server-options.js';

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  /** `http://host:port` or `https://host:port` (a wildcard host is shown as 127.0.0.1). */
  readonly url: string;
  /** The token in force; null with noToken. */
  readonly token: string | null;
  /** Stops accepting, disconnects clients, waits for running applies, closes an owned pool. */
  close(): Promise<void>;
  /**
   * Graceful stop (SIGTERM): takes no new jobs, lets running ones finish and stream to their clients
   * for up to `graceMs` (default: the server's shutdownGraceMs), ends the rest as interrupted, then close().
   */
  shutdown(graceMs?: number): Promise<void>;
  /**
   * Runs a job for a caller in this process (`--local`) through the same front door as a remote
   * client's job (admission, run record, logs), without the wire. Aborting `signal` counts as that
   * client going away (see executor.ts).
   */
  runInProcess(spec: JobSpec, onMessage: (message: WorkerMessage) => void, signal: AbortSignal, onNotice?: (notice: InProcessNotice) => void): Promise<JobOutcome>;
}

function ignore(): void {}

/** The saved-plan fields of a job from this process (`plan -out`, `apply FILE` with --local), as specFor() reads them off a request. */
function inProcessPlanSpec(spec: JobSpec & { readonly savePlan?: boolean; readonly savedPlan?: string }, plans: PlanSigner): JobSpec {
  const { savePlan, savedPlan, ...base } = spec;
  if (savedPlan !== undefined && savedPlan !== '') return savedPlanSpec(plans, savedPlan, base);
  return savePlan === true && base.kind === 'plan' ? { ...base, recordSources: true } : base;
}

/** Waits for `promise`, or `ms` at most. */
async function settleWithin(ms: number, promise: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
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

/**
 * The server's own worker pool, with room on the threads for every job the queue lets run, plus the one
 * apply, so piscina never queues. Loaded here, not at the top: a caller with its own pool (--local)
 * never loads piscina.
 */
async function ownPool(workers: WorkerPoolOptions = {}, maxRunning: number): Promise<JobPool> {
  const { WorkerPool, resolveWorkerPoolOptions } = await import('../workers/pool.js');
  const threads = resolveWorkerPoolOptions(workers).threads;
  return new WorkerPool({ ...workers, threads, jobsPerThread: workers.jobsPerThread ?? Math.ceil((maxRunning + 1) / threads) });
}

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

/** Starts the server and resolves once it is listening. */
export async function startServer(input: ServerOptions = {}): Promise<RunningServer> {
  const options = resolveServerOptions(input);
  const { host, connections } = options;
  const logger = input.logger ?? createLogger();
  installGrpcLogger(logger);
  const scheme = input.tls === undefined ? 'http' : 'https';
  const token = resolveToken(input, logger);
  const loadedTls = input.tls === undefined ? undefined : loadServerTls(input.tls);
  const binary =
    input.selfServe === undefined || input.selfServe === false
      ? null
      : new BinaryServer(input.selfServe === true ? defaultBinaryPath() : input.selfServe);
  if (binary !== null) await binary.check();

  const ownsPool = input.pool === undefined;
  const queue = new JobQueue(input.queue);
  const pool = input.pool ?? (await ownPool(input.workers, queue.options.maxRunning));
  const plans = new PlanSigner(input.plans);
  const specDefaults = {
    cwd: options.cwd,
    parallelism: options.parallelism,
    limits: options.limits,
    token,
    scheme,
    origins: [] as string[],
    plans,
  } as const;
  const lifecycle = new Lifecycle();
  // Opened before the port: a store that cannot open stops the start-up, naming its file.
  const persisted = input.store === undefined ? undefined : await openPersistedRuns(input.store, logger).catch(async (error: unknown) => {
    if (ownsPool) await pool.close();
    throw error;
  });
  const front: FrontDoor = {
    pool,
    queue,
    runs: new RunRegistry(input.retain),
    logger,
    plans,
    auth: new Authenticator(token),
    modules: input.root === undefined ? null : new ModuleRoot(input.root),
    binary,
    scheme,
    lifecycle,
    idleTimeoutMs: connections.idleTimeoutMs,
    spec: (kind, request, requestHost) => specFor(specDefaults, kind, request, requestHost),
    ...(persisted === undefined ? {} : { onRun: persisted.mirror, store: persisted.store }),
  };

  const grpcServer = createGrpcServer(connections);
  // The Runs service is built on grpc-service.ts's handlers, so it is added here rather than by it.
  addRunsService(grpcServer, front);
  const health = addGrpcServices(grpcServer, front);
  const injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  keepDuplicateCredentials(grpcServer);
  const httpServer = createHttpServer(front, connections);
  const listener = createListener({
    tls: loadedTls,
    logger,
    limits: connections,
    dispatch: (socket, isHttp2) => {
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
  });

  let port: number;
  try {
    port = await listen(listener.server, host, options.port);
  } catch (error) {
    injector.destroy();
    grpcServer.forceShutdown();
    if (ownsPool) await pool.close();
    await persisted?.close();
    throw error;
  }
  specDefaults.origins.push(...originsFor(host, port, scheme));
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `${scheme}://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  logger.log('INFO', 'serving', { addr: `${host}:${port}`, component: 'rpc', tls: scheme === 'https', maxConnections: listener.maxConnections });

  const stopListening = (): Promise<void> => new Promise<void>((resolve) => listener.server.close(() => resolve()));
  let closing: Promise<void> | undefined;
  const close = (waitForJobs = true): Promise<void> => {
    closing ??= (async () => {
      const listenerClosed = stopListening();
      injector.drain(0);
      injector.destroy();
      grpcServer.forceShutdown();
      httpServer.closeAllConnections();
      // Stops node:http's connection checks (the server itself never listened).
      httpServer.close(ignore);
      listener.destroyAll();
      await listenerClosed;
      // Started applies run to completion (see executor.ts); wait for them before the pool goes.
      if (waitForJobs) await queue.idle();
      if (ownsPool) await pool.close();
      await persisted?.close();
      logger.log('INFO', 'server stopped', { addr: `${host}:${port}` });
    })();
    return closing;
  };
  let shuttingDown: Promise<void> | undefined;
  const shutdown = (graceMs = options.shutdownGraceMs): Promise<void> => {
    shuttingDown ??= (async () => {
      logger.log('INFO', 'shutting down: no new jobs; running jobs have the grace period to finish', { graceMs });
      health.setStatus('', 'NOT_SERVING');
      health.setStatus('pb.Executor', 'NOT_SERVING');
      const listenerClosed = stopListening();
      httpServer.closeIdleConnections();
      let jobsDone = false;
      const idle = queue.idle().then(() => {
        jobsDone = true;
      });
      const { finished, interrupted } = await lifecycle.drain(graceMs, idle);
      logger.log(interrupted > 0 || !jobsDone ? 'WARN' : 'INFO', 'shutdown: client streams ended', { finished, interrupted, jobsDone });
      // Let HTTP/2 sessions send what the streams wrote (their trailers) before close() cuts them.
      await settleWithin(2000, new Promise<void>((resolve) => grpcServer.tryShutdown(() => resolve())));
      // Past the grace, jobs still running (with or without a client) end with the pool.
      await close(jobsDone);
      await listenerClosed;
    })();
    return shuttingDown;
  };
  const inProcess: RunningServer['runInProcess'] = async (spec, onMessage, signal, onNotice) => {
    try {
      lifecycle.admit();
    } catch (error) {
      return { ok: false, error: toWire(error) };
    }
    // As specFor() does for remote requests: modules fetched from this server's own origins get its token.
    const moduleTokens = token === null ? undefined : Object.fromEntries(specDefaults.origins.map((origin) => [origin, token]));
    let planned: JobSpec;
    try {
      planned = inProcessPlanSpec(spec, plans);
    } catch (error) {
      return { ok: false, error: toWire(error) };
    }
    const withLimits = { ...planned, limits: planned.limits ?? specDefaults.limits };
    const withTokens = moduleTokens === undefined ? withLimits : { ...withLimits, moduleTokens: { ...moduleTokens, ...spec.moduleTokens } };
    return runInProcess(front, withTokens, onMessage, signal, onNotice);
  };
  return { host, port, url, token, close: () => close(), shutdown, runInProcess: inProcess };
}
