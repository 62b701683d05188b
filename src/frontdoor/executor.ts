/**
 * The transport-neutral heart of the front door: admit a job, run it on the worker pool, record what
 * it produces in its Run, and pump a Run into a client sink with backpressure. gRPC and HTTP differ
 * only in their sinks.
 *
 * Disconnect policy: when a client goes away, a plan, healthcheck or graph job is cancelled (workers
 * stop at the next node boundary; nothing was changed). An apply that has started runs to completion,
 * so the machine is never left half-applied without a record: its events stay in the Run and the
 * outcome is logged. An apply still waiting in the queue is simply dropped.
 */
import { setImmediate as yieldTurn } from 'node:timers/promises';
import { JOB_BASE_COST_BYTES } from '../defaults.js';
import { ConvergeError, fromWire, toWire } from '../errors.js';
import { reportsLeftovers, type JobKind, type JobOutcome, type JobSpec, type LoadingProgress, type NodeEvent, type WorkerMessage } from '../protocol.js';
import type { JobPool } from '../workers/inline-pool.js';
import { asciiJson } from './ascii-json.js';
import type { JobQueue } from './job-queue.js';
import { RUN_FAILED_MESSAGE, type Logger } from './logger.js';
import { graphComponents } from './wire/graph.js';
import type { GraphComponentInit, StatusResponseInit } from './wire/pb-types.js';
import { edgesNoticeResponse, loadingNoticeResponse, noticeResponse, statusResponse } from './wire/status.js';
import type { QueuedNotice, Run, RunRegistry } from './runs.js';
import type { PlanSigner } from './plan-signing.js';
import type { RunOutcomeLabel, ServerMetrics } from './metrics.js';
import { outcomeOf } from './run-outcome.js';
import { recordSources, savedPlanNotice, sealPlan } from './saved-plans.js';

export interface ExecutorContext {
  readonly pool: JobPool;
  readonly queue: JobQueue;
  readonly runs: RunRegistry;
  readonly logger: Logger;
  /** Called with every new run (the run store mirrors it from there); see runs-mirror.ts. */
  readonly onRun?: (run: Run, spec: JobSpec, origin: RunOrigin) => void;
  /** Signs saved plans (`plan -out`); without it a plan never carries a plan file. */
  readonly plans?: PlanSigner;
  /** Counts every finished run (metrics.ts); nothing is counted without it. */
  readonly metrics?: ServerMetrics;
}

/** Who asked for a run and from where, for the audit trail. */
export interface RunOrigin {
  /** The client key's name: "token" for --rpc-token, "anonymous" with --no-token, "schedule". */
  readonly who: string;
  /** The client's address (host:port). */
  readonly peer: string;
}

const UNKNOWN_ORIGIN: RunOrigin = { who: '', peer: '' };

export interface StartedJob {
  readonly run: Run;
  /** Settles (never rejects) when the run is finished. */
  readonly settled: Promise<void>;
}

/** Nodes of `run` that reported a result, those with an error, and those with changes. */
export function summarise(run: Run): { nodes: number; errors: number; changed: number } {
  let errors = 0;
  let nodes = 0;
  let changed = 0;
  for (let i = 0; i < run.eventCount; i += 1) {
    const event = run.eventAt(i)!.event;
    if (event.run !== 'FINISHED') continue;
    nodes += 1;
    if (event.details !== undefined && event.details.error !== '') errors += 1;
    if (event.details?.hasChanges === true) changed += 1;
  }
  return { nodes, errors, changed };
}

function countedOutcome(outcome: JobOutcome, failedNodes: number): RunOutcomeLabel {
  return !outcome.ok && outcome.error.code === 'CNV_ERR_QUEUE_FULL' ? 'refused' : outcomeOf(outcome, failedNodes);
}

/**
 * What a job is assumed to hold on the server while admitted, in bytes: a base for its run record and
 * its share of a worker, plus its inline module and params several times over (the text, its tokens and
 * its syntax tree). An estimate, so admission stays O(1) and happens before any parsing.
 */
export function jobCost(spec: JobSpec): number {
  let inline = (spec.content?.length ?? 0) + JSON.stringify(spec.params).length;
  for (const [key, text] of Object.entries(spec.files ?? {})) inline += key.length + text.length;
  return JOB_BASE_COST_BYTES + 8 * inline;
}

/**
 * A task that left processes running had them killed when its node ended (resources/shell); that is
 * worth an operator's attention, since such a process ran on the server as the server's user.
 */
function logLeftovers(logger: Logger, runId: string, events: readonly NodeEvent[]): void {
  for (const event of events) {
    const warning = event.details?.warning;
    if (event.run === 'FINISHED' && warning !== undefined && reportsLeftovers(warning)) {
      logger.log('WARN', 'task left processes running; they were killed', { run: runId, node: event.id, warning });
    }
  }
}

/**
 * Admits `spec` and runs it when the queue allows. `clientGone` is the client's connection: see the
 * disconnect policy above. Queue refusals and load failures end up in `run.outcome`.
 */
export function startJob(context: ExecutorContext, spec: JobSpec, clientGone: AbortSignal, origin: RunOrigin = UNKNOWN_ORIGIN): StartedJob {
  const { logger } = context;
  const run = context.runs.create(spec.kind, spec.location);
  context.onRun?.(run, spec, origin);
  const who = origin.peer === '' ? {} : { peer: origin.peer };
  const job = new AbortController();
  let disconnected = false;
  const onGone = (): void => {
    disconnected = true;
    if (spec.kind === 'apply' && run.state === 'running') {
      logger.log('WARN', 'client disconnected; the apply runs to completion', { run: run.id, ...who });
      return;
    }
    job.abort(new ConvergeError('CNV_ERR_JOB_CANCELLED', 'client disconnected'));
  };
  if (clientGone.aborted) onGone();
  else clientGone.addEventListener('abort', onGone, { once: true });

  const onMessage = (message: WorkerMessage): void => {
    if (message.type === 'loading') run.setLoading(message.progress);
    else if (message.type === 'edges') run.setEdges(message.edges);
    else if (message.type === 'events') {
      run.appendEvents(message.events);
      logLeftovers(logger, run.id, message.events);
    }
    else if (message.type === 'sources') recordSources(run, message.sources);
    else run.setGraph(message.vertices, message.edges);
  };
  const task = async (): Promise<JobOutcome> => {
    run.markRunning();
    logger.log('INFO', 'run started', { run: run.id, kind: spec.kind, location: spec.location, ...who });
    return context.pool.run(spec, onMessage, job.signal);
  };
  const submission = {
    runId: run.id,
    kind: spec.kind,
    cost: jobCost(spec),
    signal: job.signal,
    onQueued: (notice: Parameters<typeof run.setNotice>[0]) => {
      run.setNotice(notice);
      logger.log('INFO', notice.text, { run: run.id, behind: notice.behind, position: notice.position, ...who });
    },
  };
  const settled = context.queue
    .submit(submission, task)
    .catch((error: unknown): JobOutcome => {
      if (job.signal.aborted) return { ok: false, error: toWire(job.signal.reason) };
      return { ok: false, error: toWire(error) };
    })
    .then((outcome) => {
      clientGone.removeEventListener('abort', onGone);
      sealPlan(context.plans, run, spec, outcome);
      run.finish(outcome);
      const { changed, ...counts } = summarise(run);
      context.metrics?.runFinished({
        kind: spec.kind,
        outcome: countedOutcome(outcome, counts.errors),
        createdAtMs: run.createdAtMs,
        startedAtMs: run.startedAtMs,
        finishedAtMs: run.finishedAtMs ?? Date.now(),
        nodes: { checked: counts.nodes, changed, failed: counts.errors },
      });
      const fields = { run: run.id, kind: spec.kind, ...counts, clientConnected: !disconnected, ...who };
      if (outcome.ok) logger.log('INFO', 'run finished', fields);
      // The transport logs the refusal at INFO with the peer and the reason (refusals.ts).
      else if (outcome.error.code === 'CNV_ERR_QUEUE_FULL') logger.log('DEBUG', 'run refused', { ...fields, code: outcome.error.code });
      else if (disconnected && outcome.error.code === 'CNV_ERR_JOB_CANCELLED') logger.log('INFO', 'run cancelled: client disconnected', fields);
      else logger.log('WARN', RUN_FAILED_MESSAGE, { ...fields, code: outcome.error.code, error: outcome.error.message });
    });
  return { run, settled };
}

/**
 * Largest edge list sent in the `edges` header, in bytes of JSON. HTTP/2 peers built on Node (grpc-js
 * clients) refuse header lists over 64 KiB and curl refuses header lines over 100 KB, and a refused header
 * stalls the stream. A larger list is left out of the header, which says how many edges it omitted
 * (`edges-omitted`), and goes to clients that accept notices as an `edges` notice message instead.
 */
export const MAX_EDGES_HEADER_BYTES = 48 * 1024;

export interface StartHeaders {
  readonly runId: string;
  /** The edge list as ASCII-only JSON (see ascii-json.ts), ready for a header. */
  readonly edgesJson?: string;
  /** Set when the edge list was too large for a header. */
  readonly edgesOmitted?: number;
}

/** Where a pump writes messages of type M. Implemented by the gRPC call and the HTTP response. */
export interface EventSink<M> {
  /** Sends response headers; called once, before the first message. */
  start(headers: StartHeaders): void;
  /** Writes one message; false means "wait for drained() before writing more". */
  write(message: M): boolean;
  drained(): Promise<void>;
  /** Aborted when the client has gone. */
  readonly gone: AbortSignal;
}

export type PumpResult = { readonly ok: true } | { readonly ok: false; readonly error: ConvergeError; readonly started: boolean };

/** Resolves when `run` changes or the client has gone, whichever comes first. */
export function waitForChange(run: Run, gone: AbortSignal): Promise<void> {
  if (gone.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      gone.removeEventListener('abort', done);
      resolve();
    };
    gone.addEventListener('abort', done, { once: true });
    void run.changed().then(done);
  });
}

function failure(run: Run, started: boolean): PumpResult {
  const outcome = run.outcome;
  const error = outcome !== undefined && !outcome.ok ? fromWire(outcome.error) : new ConvergeError('CNV_ERR_INTERNAL', 'run ended');
  return { ok: false, error, started };
}

/**
 * Streams an executor run (plan, apply, healthcheck): headers with `edges`, then each numbered event.
 * Only this client's cursor moves; the events stay in the Run.
 */
export async function pumpStatus(run: Run, sink: EventSink<StatusResponseInit>, acceptNotices: boolean): Promise<PumpResult> {
  let started = false;
  let noticeSent = false;
  const send = async (message: StatusResponseInit): Promise<void> => {
    if (!sink.write(message)) await sink.drained();
  };
  // Phase 1: wait for the edges (or an early failure), passing on a queue notice and the loading
  // progress if the client wants them.
  let loadingSent: LoadingProgress | undefined;
  while (run.edges === undefined && run.outcome === undefined && !sink.gone.aborted) {
    if (acceptNotices && !noticeSent && run.notice !== undefined) {
      sink.start({ runId: run.id });
      started = true;
      noticeSent = true;
      await send(noticeResponse(run.notice));
      continue;
    }
    const loading = run.loading;
    if (acceptNotices && loading !== undefined && loading !== loadingSent) {
      if (!started) sink.start({ runId: run.id });
      started = true;
      loadingSent = loading;
      await send(loadingNoticeResponse(run.id, loading));
      continue;
    }
    await waitForChange(run, sink.gone);
  }
  if (sink.gone.aborted) return { ok: true };
  if (run.edges === undefined) return failure(run, started);
  // Escaped before measuring: \uXXXX makes non-ASCII names up to six times longer.
  const edgesJson = asciiJson(run.edges);
  const fitsHeader = edgesJson.length <= MAX_EDGES_HEADER_BYTES;
  if (!started) {
    sink.start(fitsHeader ? { runId: run.id, edgesJson } : { runId: run.id, edgesOmitted: run.edges.length });
  }
  if ((started || !fitsHeader) && acceptNotices) await send(edgesNoticeResponse(run.id, run.edges));
  started = true;
  // Phase 2: events by cursor until the run is done and the cursor is at its end.
  let cursor = 0;
  let burst = 0;
  for (;;) {
    if (sink.gone.aborted) return { ok: true };
    const numbered = run.eventAt(cursor);
    if (numbered !== undefined) {
      cursor += 1;
      await send(statusResponse(numbered.event, numbered.seq));
      // A sink that never pushes back resolves every write at once; without a turn of the event loop
      // now and then, a thousand pumps would keep accept() and new handshakes waiting.
      if ((burst += 1) >= PUMP_BURST) {
        burst = 0;
        await yieldTurn();
      }
      continue;
    }
    if (run.state === 'done') break;
    await waitForChange(run, sink.gone);
  }
  const planFile = acceptNotices ? savedPlanNotice(run) : undefined;
  if (planFile !== undefined && !sink.gone.aborted) await send(planFile);
  return run.outcome?.ok === true ? { ok: true } : failure(run, started);
}

/** What runInProcess() tells its caller besides the job's own messages. */
export type InProcessNotice =
  | { readonly type: 'queued'; readonly notice: QueuedNotice }
  | { readonly type: 'loading'; readonly runId: string; readonly progress: LoadingProgress }
  | { readonly type: 'started'; readonly runId: string }
  | { readonly type: 'saved-plan'; readonly runId: string; readonly text: string };

/**
 * A job from inside this process (`--local`): admitted, recorded and logged as a remote client's, and
 * read through a cursor like any client, but handed over as the engine's own messages: no protobuf, no
 * HTTP/2 and no second decode, which were most of what a large --local plan cost. `gone` is the
 * caller's interrupt, treated as a client disconnect.
 */
export async function runInProcess(
  context: ExecutorContext,
  spec: JobSpec,
  onMessage: (message: WorkerMessage) => void,
  gone: AbortSignal,
  onNotice: (notice: InProcessNotice) => void = () => undefined,
): Promise<JobOutcome> {
  const { run, settled } = startJob(context, spec, gone);
  run.onLoading = (progress) => onNotice({ type: 'loading', runId: run.id, progress });
  let queuedSeen = false;
  while (run.edges === undefined && run.graph === undefined && run.outcome === undefined) {
    if (!queuedSeen && run.notice !== undefined) {
      queuedSeen = true;
      onNotice({ type: 'queued', notice: run.notice });
    }
    await run.changed();
  }
  run.onLoading = undefined;
  if (run.edges !== undefined || run.graph !== undefined) onNotice({ type: 'started', runId: run.id });
  if (spec.kind === 'graph') {
    await settled;
    if (run.graph !== undefined) onMessage({ type: 'graph', vertices: run.graph.vertices, edges: run.graph.edges });
    return run.outcome!;
  }
  if (run.edges !== undefined) onMessage({ type: 'edges', edges: run.edges });
  let cursor = 0;
  for (;;) {
    const events: NodeEvent[] = [];
    for (let next = run.eventAt(cursor); next !== undefined; next = run.eventAt(cursor)) {
      events.push(next.event);
      cursor += 1;
    }
    if (events.length > 0) onMessage({ type: 'events', events });
    if (run.state === 'done' && cursor >= run.eventCount) break;
    await run.changed();
  }
  await settled;
  const planText = savedPlanNotice(run)?.notice?.text;
  if (planText !== undefined) onNotice({ type: 'saved-plan', runId: run.id, text: planText });
  return run.outcome!;
}

/** Messages one pump writes before it lets the event loop take a turn. */
export const PUMP_BURST = 64;

/** Streams a graph run: every vertex, then every edge. */
export async function pumpGraph(run: Run, sink: EventSink<GraphComponentInit>): Promise<PumpResult> {
  while (run.graph === undefined && run.outcome === undefined && !sink.gone.aborted) {
    await waitForChange(run, sink.gone);
  }
  if (sink.gone.aborted) return { ok: true };
  const graph = run.graph;
  if (graph === undefined) return failure(run, false);
  sink.start({ runId: run.id });
  for (const component of graphComponents(graph.vertices, graph.edges)) {
    if (sink.gone.aborted) return { ok: true };
    if (!sink.write(component)) await sink.drained();
  }
  while (run.state !== 'done' && !sink.gone.aborted) await waitForChange(run, sink.gone);
  return run.outcome?.ok === false ? failure(run, true) : { ok: true };
}

/** The job kinds each executor method runs. */
export const METHOD_KINDS = { Plan: 'plan', Apply: 'apply', HealthCheck: 'healthcheck' } as const satisfies Record<
  string,
  JobKind
>;
