/**
 * One run's limits and its stop conditions, handed to every loop that user input can make long.
 * Synchronous loops (template execution, parsing, loading, graph building) cannot see an AbortSignal
 * flip, since that needs the event loop; they poll `interrupted` instead, the pool's shared cancel
 * flag, and the run's deadline. Polling is a counter increment; the real check runs every 256 polls.
 */
import { ConvergeError } from '../errors.js';
import { DEFAULT_RUN_LIMITS, limitError, resolveRunLimits, type RunLimits } from './limits.js';

export interface GuardOptions {
  readonly signal?: AbortSignal | undefined;
  /** The pool's cancel flag (run.worker.ts); true once the job is cancelled. */
  readonly interrupted?: (() => boolean) | undefined;
}

const POLL_MASK = 255;

export class RunGuard {
  readonly limits: RunLimits;
  readonly #signal: AbortSignal | undefined;
  readonly #interrupted: () => boolean;
  /** performance.now() past which the run is over; Infinity without a run timeout. */
  readonly #deadline: number;
  #polls = 0;

  constructor(limits: Partial<RunLimits> | undefined, options: GuardOptions = {}) {
    this.limits = limits === undefined ? DEFAULT_RUN_LIMITS : resolveRunLimits(limits);
    this.#signal = options.signal;
    this.#interrupted = options.interrupted ?? never;
    this.#deadline = this.limits.runTimeoutMs === 0 ? Number.POSITIVE_INFINITY : performance.now() + this.limits.runTimeoutMs;
  }

  /** True once the run was cancelled. */
  cancelled(): boolean {
    return this.#signal?.aborted === true || this.#interrupted();
  }

  /** True once the run is past its time. */
  expired(): boolean {
    return performance.now() > this.#deadline;
  }

  /** Milliseconds left before the run's deadline (Infinity without one). */
  remainingMs(): number {
    return this.#deadline - performance.now();
  }

  /** Throws CNV_ERR_JOB_CANCELLED or CNV_ERR_LIMIT_RUN_TIME when the run must stop. */
  check(): void {
    // Past the deadline the run's signal is aborted too; the deadline is the better reason.
    if (this.expired()) throw this.timeoutError();
    if (this.cancelled()) throw cancelledError();
  }

  /** Why a stopped run stopped. */
  stopError(): ConvergeError {
    return this.expired() ? this.timeoutError() : cancelledError();
  }

  timeoutError(): ConvergeError {
    return limitError('runTimeoutMs', this.limits.runTimeoutMs);
  }

  /** check(), amortised: call it on every turn of a loop. */
  poll(): void {
    if ((++this.#polls & POLL_MASK) === 0) this.check();
  }
}

/** A guard with the default limits and nothing that cancels it: the CLI's validate, fmt, tests. */
export function defaultGuard(): RunGuard {
  return new RunGuard(undefined);
}

export function cancelledError(): ConvergeError {
  return new ConvergeError('CNV_ERR_JOB_CANCELLED', 'job cancelled; nodes already running were finished');
}

function never(): boolean {
  return false;
}
