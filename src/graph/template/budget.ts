/**
 * What one render may spend: execution steps and bytes produced. Renders are synchronous, so the
 * render running on a thread is always the innermost one; functions deep inside it (printf padding,
 * join) charge the bytes they are about to build here before building them, so that a width of 1e7
 * applied to every element of a list fails at the limit instead of exhausting the heap.
 */

export interface ExecBudget {
  /** Steps (list items, commands, range iterations) one render may take. */
  readonly maxSteps: number;
  /** Bytes one render may produce: output, function results and padding. */
  readonly maxBytes: number;
  /** Called every 256 steps; throws to stop the render (cancellation, the run's deadline). */
  readonly poll: () => void;
}

/** No limits and no stop: renders outside any run (unit tests, `fmt`). */
export const UNLIMITED: ExecBudget = Object.freeze({
  maxSteps: Number.POSITIVE_INFINITY,
  maxBytes: Number.POSITIVE_INFINITY,
  poll: () => undefined,
});

/**
 * What one element of a list a function builds is charged besides its characters: a pointer in the
 * array and a string header, roughly, on a 64-bit V8.
 */
export const LIST_ELEMENT_BYTES = 16;

/** Thrown by charge() past the byte limit; the executor turns it into a positioned limit error. */
export class BudgetExceeded extends Error {
  constructor(readonly maxBytes: number) {
    super(`output limit of ${maxBytes} bytes reached`);
  }
}

interface Meter {
  charge(bytes: number): void;
}

let current: Meter | undefined;

/** Charges `bytes` to the render running now (no-op outside a render). */
export function chargeOutput(bytes: number): void {
  current?.charge(bytes);
}

/** Runs `fn` with `meter` as the current render's meter, restoring the enclosing one after. */
export function metered<T>(meter: Meter, fn: () => T): T {
  const outer = current;
  current = meter;
  try {
    return fn();
  } finally {
    current = outer;
  }
}
