/**
 * Where a job runs. Commands talk to a JobRunner and never to a transport. Both modes go through a real
 * server: `--local` starts one in this process on --local-addr with a fresh random token, hands its
 * jobs to that server's front door in-process, and stops it afterwards; otherwise the gRPC client talks
 * to --rpc-addr.
 */
import { randomUUID } from 'node:crypto';
import { ConvergeError, toWire } from '../errors.js';
import type { JobOutcome, JobSpec, WorkerMessage } from '../protocol.js';
import type { ClientLoadRequest, ConvergeClient } from '../frontdoor/client.js';
import { reattaching } from '../frontdoor/reattach.js';
import { retryWhileBusy } from '../frontdoor/retry.js';
import { RUN_FAILED_MESSAGE, type Logger as FrontDoorLogger } from '../frontdoor/logger.js';
import type { PlanSignerOptions } from '../frontdoor/plan-signing.js';
import type { RunningServer, ServerOptions } from '../frontdoor/server.js';
import { formatHostPort, parseHostPort } from './address.js';
import { followStream, type RunNotice } from './stream-follow.js';
import type { Logger } from './log.js';

export type { RunNotice } from './stream-follow.js';

/** A job as the CLI asks for it: a JobSpec, plus the saved-plan fields of the request. */
export interface ClientJob extends JobSpec {
  /** `plan -out`: ask the server for a signed plan file. */
  readonly savePlan?: boolean;
  /** `apply FILE`: the saved plan's text; the server takes module and params from it. */
  readonly savedPlan?: string;
}

export interface JobRunner {
  /**
   * Runs one job. `onMessage` gets the edges, then events (or, for graph jobs, the graph) in order, all
   * before the promise settles. Aborting `signal` stops the job: a plan stops scheduling nodes, an apply
   * that already started runs to completion on the server.
   */
  run(job: ClientJob, onMessage: (message: WorkerMessage) => void, signal: AbortSignal, onNotice?: (notice: RunNotice) => void): Promise<JobOutcome>;
  close(): Promise<void>;
}

export interface RunnerOptions {
  readonly local: boolean;
  readonly localAddr: string;
  /**
   * Whether the user chose `localAddr` (--local-addr or CONVERGE_LOCAL_ADDR); when false, a busy default
   * port falls back to a free one. @default true
   */
  readonly localAddrExplicit?: boolean;
  readonly rpcAddr: string;
  readonly rpcToken: string;
  /** Names --rpc-token as a named client key (the JWT's kid); '' for the shared token. @default '' */
  readonly rpcKeyName?: string;
  readonly noToken: boolean;
  readonly useSsl: boolean;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly parallelism: number;
  readonly log: Logger;
  /** The in-process server's saved-plan key and age limit (`--state-dir`, `--plan-max-age`). */
  readonly plans?: PlanSignerOptions;
}

/** The request for a job: string params as the original sends them, typed ones in our JSON field. */
export function loadRequestFor(job: ClientJob): ClientLoadRequest {
  const params: Record<string, string> = {};
  const typed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(job.params)) {
    if (typeof value === 'string') params[key] = value;
    else typed[key] = value;
  }
  return {
    location: job.location,
    params,
    ...(Object.keys(typed).length > 0 ? { paramsJson: typed } : {}),
    ...(job.content !== undefined ? { content: job.content } : {}),
    ...(job.files !== undefined ? { files: job.files } : {}),
    ...(job.savePlan === true ? { savePlan: true } : {}),
    ...(job.savedPlan !== undefined ? { savedPlan: job.savedPlan } : {}),
  };
}

async function runOnClient(
  client: ConvergeClient,
  job: ClientJob,
  onMessage: (message: WorkerMessage) => void,
  signal: AbortSignal,
  log: Logger,
  onNotice: ((notice: RunNotice) => void) | undefined,
): Promise<JobOutcome> {
  const request = loadRequestFor(job);
  try {
    if (job.kind === 'graph') {
      const graph = await client.graph(request);
      onMessage({ type: 'graph', vertices: graph.vertices, edges: graph.edges });
      return { ok: true, nodes: graph.vertices.length };
    }
    const opened = job.kind === 'plan' ? client.plan(request) : job.kind === 'apply' ? client.apply(request) : client.healthcheck(request);
    // A dropped connection is followed again by run id (reattach.ts), so every event is shown once.
    const stream = reattaching(client, opened, {
      onRetry: (fields) => log.warn('connection to the server lost; reattaching to the run', fields),
    });
    const nodes = await followStream(stream, onMessage, signal, log, onNotice);
    if (signal.aborted) {
      return { ok: false, error: toWire(new ConvergeError('CNV_ERR_JOB_CANCELLED', 'interrupted before the job finished')) };
    }
    return { ok: true, nodes };
  } catch (error) {
    return { ok: false, error: toWire(error) };
  }
}

/** A job the server refused as busy is retried with jittered backoff for a bounded time (retry.ts). */
function retryBusy(attempt: () => Promise<JobOutcome>, signal: AbortSignal, log: Logger): Promise<JobOutcome> {
  return retryWhileBusy(attempt, { signal, log: (message, fields) => log.warn(message, fields) });
}

/** Front-door log lines for an in-process server: routine ones only at debug, so --local stays quiet. */
function quietServerLogger(log: Logger): FrontDoorLogger {
  const server = log.child({ component: 'rpc' });
  return {
    log: (level, msg, fields) => {
      // A failed run is this process's own job, and the command reports it once, as its error block or
      // FATAL line; the server's WARN beside it would say the same thing twice.
      const own = msg === RUN_FAILED_MESSAGE;
      server.log(level === 'WARN' && !own ? 'warn' : level === 'ERROR' ? 'error' : 'debug', msg, fields);
    },
  };
}

/**
 * Starts the in-process server. The documented default address may be held by another converge run
 * (two users, two CI jobs); unless the user asked for that address, any free loopback port does as
 * well, since only this process talks to it. An address the user chose stays an error when busy.
 */
async function startLocalServer(options: RunnerOptions, base: ServerOptions & { readonly host: string; readonly port: number }): Promise<RunningServer> {
  const { startServer } = await import('../frontdoor/server.js');
  const tlsWanted = options.useSsl;
  const all: ServerOptions = {
    ...base,
    ...(tlsWanted
      ? { tls: { certFile: options.certFile, keyFile: options.keyFile, ...(options.caFile !== '' ? { caFile: options.caFile } : {}) } }
      : {}),
    logger: quietServerLogger(options.log),
    parallelism: options.parallelism,
    ...(options.plans !== undefined ? { plans: options.plans } : {}),
  };
  try {
    return await startServer(all);
  } catch (error) {
    if (options.localAddrExplicit !== false || !(error instanceof ConvergeError) || error.code !== 'CNV_ERR_SERVER_ADDRESS_IN_USE') throw error;
    const server = await startServer({ ...all, port: 0 });
    options.log.debug('default --local-addr is in use; the in-process server took a free port', {
      busy: formatHostPort({ host: base.host, port: base.port }),
      addr: formatHostPort({ host: base.host, port: server.port }),
    });
    return server;
  }
}

/** Opens the runner that the flags ask for. */
export async function openRunner(options: RunnerOptions): Promise<JobRunner> {
  const tlsWanted = options.useSsl;
  if (!options.local) {
    const { ConvergeClient } = await import('../frontdoor/client.js');
    const address = formatHostPort(parseHostPort(options.rpcAddr, '--rpc-addr', '127.0.0.1'));
    const client = new ConvergeClient({
      address,
      token: options.noToken || options.rpcToken === '' ? null : options.rpcToken,
      ...(options.rpcKeyName !== undefined && options.rpcKeyName !== '' ? { keyName: options.rpcKeyName } : {}),
      useSsl: tlsWanted,
      ...(options.caFile !== '' ? { caFile: options.caFile } : {}),
    });
    return {
      run: (job, onMessage, signal, onNotice) => retryBusy(() => runOnClient(client, job, onMessage, signal, options.log, onNotice), signal, options.log),
      close: async () => client.close(),
    };
  }

  const { host, port } = parseHostPort(options.localAddr, '--local-addr', '127.0.0.1');
  if (tlsWanted && (options.certFile === '' || options.keyFile === '')) {
    throw new ConvergeError('CNV_ERR_CLI_USAGE', '--local with --use-ssl needs --cert-file and --key-file');
  }
  const token = options.noToken ? null : options.rpcToken !== '' ? options.rpcToken : randomUUID();
  // The job runs on this thread (inline-pool.ts says why); a server's pool of threads would cost more
  // to start than a typical --local job.
  const { InlinePool } = await import('../workers/inline-pool.js');
  const pool = new InlinePool();
  const server = await startLocalServer(options, { pool, host, port, lazyTransport: true, ...(token === null ? { noToken: true } : { token }) });
  // The server listens on its address like any other, but this process's own jobs go to its front door
  // directly: a gRPC client here would encode, send, receive and decode every event in one process.
  return {
    run: (job, onMessage, signal, onNotice) =>
      server.runInProcess(job, onMessage, signal, (notice) => {
        if (notice.type === 'started') {
          options.log.debug('run started', { run: notice.runId });
          onNotice?.(notice);
          return;
        }
        if (notice.type === 'saved-plan' || notice.type === 'loading') {
          onNotice?.(notice);
          return;
        }
        const { runId, behind, position, text } = notice.notice;
        options.log.info(text, { run: runId, behind, position });
        onNotice?.({ type: 'queued', runId, behind, position, text });
      }),
    close: async () => {
      // The server waits for running applies; after that no job is left.
      await server.close();
    },
  };
}
