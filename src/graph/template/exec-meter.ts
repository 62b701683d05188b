/**
 * What a template execution has spent against its budget (budget.ts): steps, each of which may poll for
 * a stop, and bytes produced. A step or byte past the limit becomes a positioned limit error through
 * the caller's ExecFail.
 */
import type { ErrorCode } from '../../errors.js';
import { LIMITS, limitDetails, limitMessage, type ErrorLimitName } from '../limits.js';
import { BudgetExceeded, type ExecBudget } from './budget.js';

/** A tripped limit's code and details, for ExecFail. */
export interface LimitTrip {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
}

/**
 * Builds and throws the caller's error type. `at` is the source-like text of the failing node; `limit`
 * is set for a tripped limit (otherwise the error is CNV_ERR_TEMPLATE_EXEC).
 */
export type ExecFail = (offset: number, at: string, problem: string, cause?: unknown, limit?: LimitTrip) => never;

function trip(name: ErrorLimitName, value: number): LimitTrip {
  return { code: LIMITS[name].code, details: limitDetails(name, value) };
}

export class ExecMeter {
  readonly #budget: ExecBudget;
  readonly #fail: ExecFail;
  #steps = 0;
  #bytes = 0;

  constructor(budget: ExecBudget, fail: ExecFail) {
    this.#budget = budget;
    this.#fail = fail;
  }

  /** One step at `pos`: counts against the step limit and, every 256 steps, polls for a stop. */
  step(pos: number, at: () => string): void {
    const steps = ++this.#steps;
    if (steps > this.#budget.maxSteps) {
      const max = this.#budget.maxSteps;
      this.#fail(pos, at(), limitMessage('templateSteps', max), undefined, trip('templateSteps', max));
    }
    if ((steps & 255) === 0) this.#budget.poll();
  }

  /** Bytes about to be produced; throws BudgetExceeded past the limit (see budget.ts). */
  charge(bytes: number): void {
    this.#bytes += bytes;
    if (this.#bytes > this.#budget.maxBytes) throw new BudgetExceeded(this.#budget.maxBytes);
  }

  /** Turns BudgetExceeded into the positioned limit error; anything else is rethrown. */
  overBudget(pos: number, at: string, error: unknown): never {
    if (!(error instanceof BudgetExceeded)) throw error;
    this.#fail(pos, at, limitMessage('templateOutputBytes', error.maxBytes), undefined, trip('templateOutputBytes', error.maxBytes));
  }
}
