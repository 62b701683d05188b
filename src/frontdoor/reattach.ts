/**
 * Reattach: a plan or apply whose connection drops mid-run (UNAVAILABLE from the transport, not an error
 * the server sent) is followed again through Runs.Watch from the seq after the last one seen, a bounded
 * number of times. The caller sees one stream: each event once, in seq order, and `start` only once.
 * The server cancels a plan whose client went away (executor.ts), so a reattached plan usually ends
 * cancelled; an apply runs on, and the reattached client sees it to the end.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConvergeError } from '../errors.js';
import type { ExecutorStream, StreamItem } from './client.js';

export interface ReattachOptions {
  /** Watch calls tried per outage before the loss is reported. @default 5 */
  readonly attempts?: number;
  /** First pause in milliseconds; doubles up to `maxPauseMs`. @default 200 */
  readonly baseMs?: number;
  /** @default 3000 */
  readonly maxPauseMs?: number;
  /** Told before each attempt, for the operator's log. */
  readonly onRetry?: (fields: { run: string; fromSeq: number; attempt: number; error: string }) => void;
}

/** What reattach needs of the client. */
export interface Watcher {
  watch(id: string, fromSeq: number): ExecutorStream;
}

/** A lost connection, as opposed to a refusal or failure the server itself reported. */
export function isConnectionLoss(error: unknown): boolean {
  return error instanceof ConvergeError && error.code === 'CNV_ERR_SERVER_UNREACHABLE';
}

/** The last loss, said as what it ended: following this run. Same code, so the usual hints still apply. */
function gaveUp(error: ConvergeError, run: string, fromSeq: number, attempts: number): ConvergeError {
  const message = `lost the connection to run ${run} and could not reattach in ${attempts} tries (the run may go on on the server; see it with "converge runs show ${run}"): ${error.message}`;
  return new ConvergeError(error.code, message, { ...error.details, run, fromSeq }, { cause: error });
}

export function reattaching(client: Watcher, first: ExecutorStream, options: ReattachOptions = {}): ExecutorStream {
  const attempts = options.attempts ?? 5;
  const baseMs = options.baseMs ?? 200;
  const maxPauseMs = options.maxPauseMs ?? 3000;
  let current = first;
  let cancelled = false;
  async function* iterate(): AsyncGenerator<StreamItem> {
    let runId = '';
    let lastSeq = 0;
    let started = false;
    let failures = 0;
    for (;;) {
      try {
        for await (const item of current) {
          if (item.type === 'queued') runId = item.notice.runId;
          else if (item.type === 'saved-plan' || item.type === 'loading') runId = item.runId;
          if (item.type === 'start') {
            runId = item.runId;
            if (started) continue;
            started = true;
          }
          if (item.type === 'node') {
            // A watch from lastSeq + 1 never repeats one, but a server without seqs (0) must not lose events.
            if (item.seq !== 0 && item.seq <= lastSeq) continue;
            lastSeq = Math.max(lastSeq, item.seq);
            failures = 0;
          }
          yield item;
        }
        return;
      } catch (error) {
        if (cancelled || runId === '' || !isConnectionLoss(error)) throw error;
        if (failures >= attempts) throw gaveUp(error as ConvergeError, runId, lastSeq + 1, attempts);
        failures += 1;
        options.onRetry?.({ run: runId, fromSeq: lastSeq + 1, attempt: failures, error: (error as Error).message });
        await sleep(Math.min(maxPauseMs, baseMs * 2 ** (failures - 1)));
        if (cancelled) return;
        current = client.watch(runId, lastSeq + 1);
      }
    }
  }
  const generator = iterate();
  return {
    [Symbol.asyncIterator]: () => generator,
    cancel: () => {
      cancelled = true;
      current.cancel();
    },
  };
}
