/**
 * Wall time of one node's check or apply (--node-timeout). The task gets a signal that aborts at the
 * limit, as well as when the run is cancelled, and the node's result does not wait for a task that
 * ignores its signal: at the limit the node fails with CNV_ERR_LIMIT_NODE_TIME and the walk goes on.
 *
 * Calls that start within one short window share a deadline (the window's end plus the limit): an
 * AbortController, a timer and a listener on the run's signal per call cost about 15 µs, a tenth of a
 * file node's whole plan. A shared deadline is late by at most the window, which is a hundredth of the
 * limit (10 ms to 1 s), and when it fires every call still running under it has used its full limit.
 */
import { setMaxListeners } from 'node:events';
import type { RunContext } from '../resources/types.js';
import { limitError } from './limits.js';

/** setTimeout's largest delay; a longer limit is as good as none. */
export const MAX_TIMER_MS = 2_147_483_647;

/** One shared deadline: the calls that started in its window. */
interface Slot {
  readonly controller: AbortController;
  readonly expired: Promise<never>;
  readonly timer: NodeJS.Timeout;
  /** Calls may join until this time (performance.now()). */
  readonly joinUntil: number;
  running: number;
}

export class NodeDeadlines {
  readonly #run: RunContext;
  readonly #ms: number;
  readonly #windowMs: number;
  /** Deadlines with calls still running under them, and the open one. */
  readonly #live = new Set<Slot>();
  readonly #forward = (): void => {
    for (const slot of this.#live) slot.controller.abort(this.#run.signal.reason);
  };
  #slot: Slot | undefined;
  #listening = false;

  /** `ms` is the limit of each call; 0, or more than a timer can hold, is none. */
  constructor(run: RunContext, ms: number) {
    this.#run = run;
    this.#ms = ms === 0 || ms > MAX_TIMER_MS ? 0 : ms;
    this.#windowMs = Math.min(1000, Math.max(10, Math.floor(this.#ms / 100)));
  }

  async run<T>(fn: (ctx: RunContext) => Promise<T>): Promise<T> {
    if (this.#ms === 0) return fn(this.#run);
    const slot = this.#take();
    try {
      return await Promise.race([fn({ ...this.#run, signal: slot.controller.signal }), slot.expired]);
    } finally {
      slot.running--;
      if (slot.running === 0 && slot !== this.#slot) this.#drop(slot);
      else if (slot.running === 0) slot.timer.unref();
    }
  }

  /** Drops the open deadline; the pipeline calls this when its walk is over. */
  close(): void {
    for (const slot of this.#live) clearTimeout(slot.timer);
    this.#live.clear();
    this.#slot = undefined;
    if (this.#listening) this.#run.signal.removeEventListener('abort', this.#forward);
    this.#listening = false;
  }

  #take(): Slot {
    const now = performance.now();
    const open = this.#slot;
    if (open !== undefined && now < open.joinUntil && !open.controller.signal.aborted) {
      open.running++;
      open.timer.ref();
      return open;
    }
    if (open !== undefined && open.running === 0) this.#drop(open);
    if (!this.#listening) {
      this.#run.signal.addEventListener('abort', this.#forward, { once: true });
      this.#listening = true;
    }
    const controller = new AbortController();
    // Every call in the window listens on this one signal; many is the point, not a leak.
    setMaxListeners(0, controller.signal);
    if (this.#run.signal.aborted) controller.abort(this.#run.signal.reason);
    let timer!: NodeJS.Timeout;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.#live.delete(slot);
        const error = limitError('nodeTimeoutMs', this.#ms);
        controller.abort(error);
        reject(error);
      }, this.#ms + this.#windowMs);
    });
    // Nobody may be racing it when it fires; the rejection is reported through the calls that are.
    expired.catch(() => undefined);
    const slot: Slot = { controller, expired, timer, joinUntil: now + this.#windowMs, running: 1 };
    this.#slot = slot;
    this.#live.add(slot);
    return slot;
  }

  #drop(slot: Slot): void {
    clearTimeout(slot.timer);
    this.#live.delete(slot);
  }
}
