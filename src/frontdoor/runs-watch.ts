/**
 * Runs.Watch: a run's events from a given seq, then the live ones until it ends. A run still in memory
 * is read there by cursor, like the Executor stream that started it (so a reattached client sees the
 * same messages, numbered the same); a run known only to the store is replayed from it page by page.
 * Either way every seq from `fromSeq` on is sent once, in order, and the stream ends as the run did.
 */
import { setImmediate as yieldTurn } from 'node:timers/promises';
import { ConvergeError, fromWire, isErrorCode } from '../errors.js';
import { asciiJson } from './ascii-json.js';
import { type EventSink, MAX_EDGES_HEADER_BYTES, PUMP_BURST, type PumpResult, waitForChange } from './executor.js';
import type { Run } from './runs.js';
import { runNotFound, type RunsSource } from './runs-view.js';
import type { StatusResponseInit } from './wire/pb-types.js';
import { statusResponse } from './wire/status.js';

/** Events read from the store per query while replaying. */
const REPLAY_PAGE = 512;

function endOf(errorCode: string, errorMessage: string): PumpResult {
  if (errorCode === '') return { ok: true };
  const code = isErrorCode(errorCode) ? errorCode : 'CNV_ERR_INTERNAL';
  return { ok: false, error: new ConvergeError(code, errorMessage), started: true };
}

async function watchLive(run: Run, fromSeq: number, sink: EventSink<StatusResponseInit>): Promise<PumpResult> {
  const edgesJson = run.edges === undefined ? undefined : asciiJson(run.edges);
  sink.start(edgesJson !== undefined && edgesJson.length <= MAX_EDGES_HEADER_BYTES ? { runId: run.id, edgesJson } : { runId: run.id });
  let cursor = Math.max(0, fromSeq - 1);
  let burst = 0;
  for (;;) {
    if (sink.gone.aborted) return { ok: true };
    const numbered = run.eventAt(cursor);
    if (numbered !== undefined) {
      cursor += 1;
      if (!sink.write(statusResponse(numbered.event, numbered.seq))) await sink.drained();
      if ((burst += 1) >= PUMP_BURST) {
        burst = 0;
        await yieldTurn();
      }
      continue;
    }
    if (run.state === 'done') break;
    await waitForChange(run, sink.gone);
  }
  const outcome = run.outcome;
  if (outcome === undefined || outcome.ok) return { ok: true };
  return { ok: false, error: fromWire(outcome.error), started: true };
}

async function replayStored(source: Required<RunsSource>, id: string, fromSeq: number, sink: EventSink<StatusResponseInit>): Promise<PumpResult> {
  const record = source.store.get(id);
  if (record === undefined) throw runNotFound(id);
  sink.start({ runId: id });
  let next = Math.max(1, fromSeq);
  for (;;) {
    const page = source.store.eventsFrom(id, next, REPLAY_PAGE);
    for (const { seq, event } of page) {
      if (sink.gone.aborted) return { ok: true };
      if (!sink.write(statusResponse(event, seq))) await sink.drained();
      next = seq + 1;
    }
    if (page.length < REPLAY_PAGE) break;
    await yieldTurn();
  }
  return endOf(record.errorCode, record.errorMessage);
}

/**
 * Streams run `id` from `fromSeq` (1 = from the start). Throws CNV_ERR_RUN_NOT_FOUND before anything is
 * sent when no such run is known.
 */
export function watchRun(source: RunsSource, id: string, fromSeq: number, sink: EventSink<StatusResponseInit>): Promise<PumpResult> {
  const live = source.runs.get(id);
  if (live !== undefined) return watchLive(live, fromSeq, sink);
  if (source.store === undefined) throw runNotFound(id);
  return replayStored({ runs: source.runs, store: source.store }, id, fromSeq, sink);
}
