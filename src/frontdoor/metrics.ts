/**
 * What the front door reports to Prometheus, as a small interface the executor, the transports and
 * the scheduler call. The implementation with prom-client (metrics-registry.ts) is loaded only when
 * the server is started with a metrics address: prom-client and its default collectors cost start-up
 * time that a `--local` command should not pay, so without one every call goes to NO_METRICS.
 */
import type { JobKind } from '../protocol.js';
import type { RunOutcome } from '../store/types.js';

/** How a run ended, as counted: the run store's outcomes, plus `refused` for a full queue. */
export type RunOutcomeLabel = RunOutcome | 'refused';

/** One finished run, as the executor sees it when the run ends. */
export interface FinishedRun {
  readonly kind: JobKind;
  readonly outcome: RunOutcomeLabel;
  /** Milliseconds since the epoch: created (admitted or refused), left the queue, ended. */
  readonly createdAtMs: number;
  /** null when the run never left the queue (refused, or cancelled while waiting). */
  readonly startedAtMs: number | null;
  readonly finishedAtMs: number;
  /** Nodes that reported a result, those among them with changes, and those with an error. */
  readonly nodes: { readonly checked: number; readonly changed: number; readonly failed: number };
}

/** Live values read at scrape time rather than counted as they change. */
export interface MetricsSources {
  /** Jobs waiting in the queue, and jobs running. */
  readonly waiting: () => number;
  readonly running: () => number;
  /** Open client connections (TCP, both transports). */
  readonly connections: () => number;
}

export interface ServerMetrics {
  runFinished(run: FinishedRun): void;
  /** A request refused for its credentials; `reason` is one of AUTH_REFUSAL_REASONS. */
  authRefused(reason: AuthRefusalReason): void;
  /** A scheduled plan's verdict on its module: true when it found changes. */
  drift(module: string, drifted: boolean): void;
  /** A schedule tick skipped because the previous run of that schedule had not finished. */
  scheduleSkipped(schedule: string): void;
}

/** The error codes of auth.ts and jwt.ts that refuse a request, and the reason label each is counted under. */
export const AUTH_REFUSAL_REASONS = {
  CNV_ERR_AUTH_MISSING: 'missing',
  CNV_ERR_AUTH_INVALID: 'invalid',
  CNV_ERR_AUTH_EXPIRED: 'expired',
  CNV_ERR_AUTH_DUPLICATE: 'duplicate',
  CNV_ERR_AUTH_UNKNOWN_KEY: 'unknown_key',
} as const;

export type AuthRefusalReason = (typeof AUTH_REFUSAL_REASONS)[keyof typeof AUTH_REFUSAL_REASONS];

/** The reason label of an auth refusal, or undefined when `error` is not one. */
export function authRefusalReason(error: unknown): AuthRefusalReason | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && Object.hasOwn(AUTH_REFUSAL_REASONS, code)
    ? AUTH_REFUSAL_REASONS[code as keyof typeof AUTH_REFUSAL_REASONS]
    : undefined;
}

/** A server without a metrics address: nothing is counted. */
export const NO_METRICS: ServerMetrics = {
  runFinished() {},
  authRefused() {},
  drift() {},
  scheduleSkipped() {},
};

/** Counts `error` when it refuses a request for its credentials; the transports call it with every error they send. */
export function countAuthRefusal(metrics: ServerMetrics | undefined, error: unknown): void {
  const reason = authRefusalReason(error);
  if (reason !== undefined) metrics?.authRefused(reason);
}
