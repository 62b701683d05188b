/**
 * The retry loop shared by the wait resources (the original's Retrier): wait `grace_period`, try; on
 * failure wait `interval` and try again, up to `max_retry` tries; after a success wait `grace_period`
 * once more so what was waited for can settle.
 */
import { ConvergeError } from '../../errors.js';
import { formatGoDuration } from '../../go/duration.js';
import type { FieldSpec, RunContext } from '../types.js';

export const DEFAULT_INTERVAL_MS = 5000;
export const DEFAULT_GRACE_PERIOD_MS = 0;
export const DEFAULT_MAX_RETRY = 5;

/** The retry fields, shared by wait.query and wait.port. */
export const RETRY_FIELDS: readonly FieldSpec[] = [
  { name: 'interval', type: 'duration', doc: 'Time between tries; 5 seconds when not set.' },
  {
    name: 'grace_period',
    type: 'duration',
    doc: 'Time to wait before the first try and after a successful one; none when not set.',
  },
  { name: 'max_retry', type: 'int', doc: 'How many tries before giving up; 5 when not set.' },
];

export interface RetryOptions {
  readonly intervalMs: number;
  readonly gracePeriodMs: number;
  readonly maxRetry: number;
}

export interface RetryOutcome {
  readonly passed: boolean;
  readonly retries: number;
  /** Wall time of the whole loop, in nanoseconds. */
  readonly durationNs: number;
}

/** Retry options from decoded fields; zero or negative values mean the defaults, as in the original. */
export function retryOptions(fields: Readonly<Record<string, unknown>>): RetryOptions {
  const positive = (value: unknown, fallback: number): number =>
    typeof value === 'number' && value > 0 ? value : fallback;
  return {
    intervalMs: positive(fields['interval'], DEFAULT_INTERVAL_MS),
    gracePeriodMs: positive(fields['grace_period'], DEFAULT_GRACE_PERIOD_MS),
    maxRetry: positive(fields['max_retry'], DEFAULT_MAX_RETRY),
  };
}

/**
 * Calls `attempt` until it resolves true or `maxRetry` tries failed. Errors from `attempt` end the
 * loop and propagate; an abort of `ctx.signal` rejects with CNV_ERR_JOB_CANCELLED.
 */
export async function retryUntil(
  options: RetryOptions,
  ctx: RunContext,
  attempt: (tryNumber: number) => Promise<boolean>,
): Promise<RetryOutcome> {
  const started = process.hrtime.bigint();
  let retries = 0;
  let passed: boolean;
  await sleep(options.gracePeriodMs, ctx.signal);
  for (;;) {
    retries++;
    ctx.progress?.(`attempt ${retries} of ${options.maxRetry}`);
    passed = await attempt(retries);
    if (passed) {
      await sleep(options.gracePeriodMs, ctx.signal);
      break;
    }
    if (retries >= options.maxRetry) break;
    await sleep(options.intervalMs, ctx.signal);
  }
  return { passed, retries, durationNs: Number(process.hrtime.bigint() - started) };
}

/** `Passed after N retries (1.5s)` or `Failed after N retries (25s)`. */
export function retrySummary(outcome: RetryOutcome): string {
  return `${outcome.passed ? 'Passed' : 'Failed'} after ${outcome.retries} retries (${formatGoDuration(outcome.durationNs)})`;
}

/** Resolves after `ms`, or rejects with CNV_ERR_JOB_CANCELLED as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new ConvergeError('CNV_ERR_JOB_CANCELLED', 'cancelled'));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new ConvergeError('CNV_ERR_JOB_CANCELLED', 'cancelled'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
