/**
 * `converge server`: gRPC and HTTP/1.1 JSON on one TCP port, as the original served them. This file
 * assembles the parts (listener.ts takes connections, grpc-js and node:http serve them, the executor
 * runs jobs) and owns the order in which they stop: close() for tests and --local, shutdown() for
 * SIGTERM, which lets running jobs finish first.
 */
import os from 'node:os';
import { ConvergeError, toWire } from '../errors.js';
import type { JobOutcome, JobSpec, WorkerMessage } from '../protocol.js';
import type { JobPool } from '../workers/inline-pool.js';
import type { WorkerPoolOptions } from '../workers/pool.js';
import { Authenticator, resolveToken } from './auth.js';
import { loadClientKeys } from './client-keys.js';
import type { BinaryServer } from './binary.js';
import { runInProcess, type InProcessNotice } from './executor.js';
import { specFor } from './front-door.js';
import { PlanSigner } from './plan-signing.js';
import { savedPlanSpec } from './saved-plans.js';
import type { FrontDoor } from './front-door.js';
import { JobQueue } from './job-queue.js';
import { Lifecycle } from './lifecycle.js';
import { listen } from './listen.js';
import { createListener, type Listener } from './listener.js';
import { NO_METRICS } from './metrics.js';
import { createLogger } from './logger.js';
import { ModuleRoot } from './modules.js';
import { RunRegistry } from './runs.js';
import { openPersistedRuns } from './runs-persist.js';
import { resolveServerOptions, type ServerOptions } from './server-options.js';
import { loadServerTls } from './tls.js';
import type { Transport } from './transport.js';

export type { ConnectionOptions, ServerOptions } from './server-options.js';

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  /** `http://host:port` or `https://host:port` (a wildcard host is shown as 127.0.0.1). */
  readonly url: string;
  /** The token in force; null with noToken. */
  readonly token: string | null;
  /** Where /metrics is served (`http://host:port/metrics`); null without the metrics option. */
  readonly metricsUrl: string | null;
  /**
   * Re-reads the --rpc-keys file (SIGHUP) and resolves to the number of keys now in force. A file
   * that no longer parses is refused whole (the error names file:line) and the old keys stay.
   */
  reloadClientKeys(): number;
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

/** The saved-plan fields of a job from this process (`plan -out`, `apply FILE` with --local), as specFor() reads them off a request. */
function inProcessPlanSpec(spec: JobSpec & { readonly savePlan?: boolean; readonly savedPlan?: string }, plans: PlanSigner): JobSpec {
  const { savePlan, savedPlan, ...base } = spec;
  if (savedPlan !== undefined && savedPlan !== '') return savedPlanSpec(plans, savedPlan, base);
  return savePlan === true && base.kind === 'plan' ? { ...base, recordSources: true } : base;
}

/** A listening host as a URL shows it; a wildcard is shown as 127.0.0.1. */
function hostForUrl(host: string): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return shown.includes(':') ? `[${shown}]` : shown;
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

/** Starts the server and resolves once it is listening. */
export async function startServer(input: ServerOptions = {}): Promise<RunningServer> {
  const options = resolveServerOptions(input);
  const { host, connections } = options;
  const logger = input.logger ?? createLogger();
  const scheme = input.tls === undefined ? 'http' : 'https';
  const token = resolveToken(input, logger);
  const clientKeys = input.clientKeysFile === undefined ? null : loadClientKeys(input.clientKeysFile, token);
  if (clientKeys !== null) logger.log('INFO', 'named client keys loaded', { file: input.clientKeysFile, keys: clientKeys.size });
  const loadedTls = input.tls === undefined ? undefined : loadServerTls(input.tls);
  let binary: BinaryServer | null = null;
  if (input.selfServe !== undefined && input.selfServe !== false) {
    const { BinaryServer, defaultBinaryPath } = await import('./binary.js');
    binary = new BinaryServer(input.selfServe === true ? defaultBinaryPath() : input.selfServe);
    await binary.check();
  }

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
  // The RPC listener, once created, for the connection gauge; scrapes before then read 0.
  const rpcListener: { current?: Listener } = {};
  // Bound before the RPC port, so that every run is counted; loaded only when asked for (metrics.ts).
  const metricsEndpoint =
    input.metrics === undefined
      ? undefined
      : await import('./metrics-listener.js')
          .then(({ startMetricsEndpoint }) =>
            startMetricsEndpoint(input.metrics!.host, input.metrics!.port, {
              waiting: () => queue.waiting,
              running: () => queue.running,
              connections: () => rpcListener.current?.open ?? 0,
            }, logger),
          )
          .catch(async (error: unknown) => {
            if (ownsPool) await pool.close();
            throw error;
          });
  // Opened before the port: a store that cannot open stops the start-up, naming its file.
  const persisted = input.store === undefined ? undefined : await openPersistedRuns(input.store, logger).catch(async (error: unknown) => {
    if (ownsPool) await pool.close();
    await metricsEndpoint?.close();
    throw error;
  });
  const front: FrontDoor = {
    pool,
    queue,
    runs: new RunRegistry(input.retain),
    logger,
    plans,
    auth: new Authenticator(token, clientKeys),
    modules: input.root === undefined ? null : new ModuleRoot(input.root),
    binary,
    scheme,
    lifecycle,
    idleTimeoutMs: connections.idleTimeoutMs,
    spec: (kind, request, requestHost) => specFor(specDefaults, kind, request, requestHost),
    metrics: metricsEndpoint?.metrics ?? NO_METRICS,
    ...(persisted === undefined ? {} : { onRun: persisted.mirror, store: persisted.store }),
  };

  // gRPC and HTTP load after the port is bound: at once for a server, on the first connection for
  // --local (transport.ts says why). A connection that arrives first waits, its bytes unread.
  let transport: Promise<Transport> | undefined;
  let loaded: Transport | undefined;
  const loadTransport = (): Promise<Transport> =>
    (transport ??= import('./transport.js').then(({ createTransport }) => (loaded = createTransport(front, connections, logger))));
  const listener = createListener({
    tls: loadedTls,
    logger,
    limits: connections,
    dispatch: (socket, isHttp2) => {
      if (loaded !== undefined) {
        loaded.dispatch(socket, isHttp2);
        return;
      }
      loadTransport().then(
        (ready) => {
          if (!socket.destroyed) ready.dispatch(socket, isHttp2);
        },
        (error: unknown) => {
          logger.log('ERROR', 'cannot load the gRPC and HTTP servers', { error: (error as Error).message });
          socket.destroy();
        },
      );
    },
  });

  rpcListener.current = listener;

  let port: number;
  try {
    port = await listen(listener.server, host, options.port);
  } catch (error) {
    if (ownsPool) await pool.close();
    await persisted?.close();
    await metricsEndpoint?.close();
    throw error;
  }
  if (input.lazyTransport !== true) {
    try {
      await loadTransport();
    } catch (error) {
      listener.server.close();
      if (ownsPool) await pool.close();
      await persisted?.close();
      await metricsEndpoint?.close();
      throw error;
    }
  }
  specDefaults.origins.push(...originsFor(host, port, scheme));
  // Loaded only for a server with schedules, started once the port serves (a scheduled run may fetch
  // its module from this very server).
  const scheduler =
    input.schedules === undefined || input.schedules.length === 0
      ? undefined
      : new (await import('./scheduler.js')).Scheduler(front, input.schedules, { atStart: input.scheduleAtStart === true });
  const url = `${scheme}://${hostForUrl(host)}:${port}`;
  logger.log('INFO', 'serving', { addr: `${host}:${port}`, component: 'rpc', tls: scheme === 'https', maxConnections: listener.maxConnections });

  scheduler?.start();

  const stopListening = (): Promise<void> => new Promise<void>((resolve) => listener.server.close(() => resolve()));
  let closing: Promise<void> | undefined;
  const close = (waitForJobs = true): Promise<void> => {
    closing ??= (async () => {
      scheduler?.stop();
      const listenerClosed = stopListening();
      // A transport still loading is waited for, so that nothing it sets up outlives close().
      if (transport !== undefined) (await transport.catch(() => undefined))?.destroy();
      listener.destroyAll();
      await listenerClosed;
      // Started applies run to completion (see executor.ts); wait for them before the pool goes.
      if (waitForJobs) await queue.idle();
      if (ownsPool) await pool.close();
      await persisted?.close();
      await metricsEndpoint?.close();
      logger.log('INFO', 'server stopped', { addr: `${host}:${port}` });
    })();
    return closing;
  };
  let shuttingDown: Promise<void> | undefined;
  const shutdown = (graceMs = options.shutdownGraceMs): Promise<void> => {
    shuttingDown ??= (async () => {
      logger.log('INFO', 'shutting down: no new jobs; running jobs have the grace period to finish', { graceMs });
      scheduler?.stop();
      loaded?.notServing();
      const listenerClosed = stopListening();
      loaded?.closeIdle();
      let jobsDone = false;
      const idle = queue.idle().then(() => {
        jobsDone = true;
      });
      const { finished, interrupted } = await lifecycle.drain(graceMs, idle);
      logger.log(interrupted > 0 || !jobsDone ? 'WARN' : 'INFO', 'shutdown: client streams ended', { finished, interrupted, jobsDone });
      // Let HTTP/2 sessions send what the streams wrote (their trailers) before close() cuts them.
      await loaded?.finishStreams(2000);
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
  const reloadClientKeys = (): number => {
    if (input.clientKeysFile === undefined) throw new ConvergeError('CNV_ERR_AUTH_KEYS_FILE', 'the server was started without --rpc-keys');
    const keys = loadClientKeys(input.clientKeysFile, token);
    front.auth.replaceKeys(keys);
    logger.log('INFO', 'named client keys reloaded', { file: input.clientKeysFile, keys: keys.size });
    return keys.size;
  };
  const metricsUrl = metricsEndpoint === undefined ? null : `http://${hostForUrl(metricsEndpoint.host)}:${metricsEndpoint.port}/metrics`;
  return { host, port, url, token, metricsUrl, close: () => close(), shutdown, runInProcess: inProcess, reloadClientKeys };
}
