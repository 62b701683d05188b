/**
 * The batching hook for package kinds: a per-process coalescing queue. Requests submitted under the
 * same key within a short window (and while an earlier batch is still running) are handed to the
 * runner together, so several package nodes of one `group` that are ready together become one
 * package-manager transaction. Batches run one at a time per queue, because apt and yum hold a
 * system-wide lock and would otherwise fail or wait on each other anyway.
 *
 * The engine needs no knowledge of packages to use it: it only has to start the apply() of the
 * nodes of a group whose tasks all carry the same `batchKey` (see BatchableTask) together instead of
 * one after another; the queue coalesces and orders the real work.
 */

/** The outcome of one request inside a batch. */
export type Settled<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: Error };

/** Runs one batch; returns one outcome per item, in order. Throwing fails every item. */
export type BatchRunner<T, R> = (key: string, items: readonly T[], signal: AbortSignal) => Promise<readonly Settled<R>[]>;

export interface CoalescingQueueOptions<T, R> {
  /** How long a batch stays open for more requests after its first one. */
  readonly windowMs: number;
  /** A batch closes early when it has this many items. */
  readonly maxBatch?: number;
  readonly run: BatchRunner<T, R>;
}

/** Tasks that coalesce through a queue expose their key, so that an engine can release them together. */
export interface BatchableTask {
  readonly batchKey: string;
}

interface Waiter<T, R> {
  readonly item: T;
  readonly resolve: (value: R) => void;
  readonly reject: (error: Error) => void;
  readonly signal: AbortSignal | undefined;
  /** Removed when the request settles: one job signal is shared by many nodes and must not pile up listeners. */
  onAbort?: () => void;
}

interface OpenBatch<T, R> {
  readonly waiters: Waiter<T, R>[];
  queued: boolean;
  started: boolean;
}

export class CoalescingQueue<T, R> {
  readonly #options: CoalescingQueueOptions<T, R>;
  readonly #open = new Map<string, OpenBatch<T, R>>();
  #tail: Promise<void> = Promise.resolve();
  #batches = 0;

  constructor(options: CoalescingQueueOptions<T, R>) {
    this.#options = options;
  }

  /** Number of batches run so far (for tests and the benchmark). */
  get batchesRun(): number {
    return this.#batches;
  }

  /**
   * Queues one request. It resolves with that request's own outcome, even when the batch it ran in
   * had other, failing requests. An aborted signal withdraws the request if its batch has not started.
   */
  submit(key: string, item: T, signal?: AbortSignal): Promise<R> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<R>((resolve, reject) => {
      let batch = this.#open.get(key);
      if (!batch) {
        const opened: OpenBatch<T, R> = { waiters: [], queued: false, started: false };
        batch = opened;
        this.#open.set(key, opened);
        setTimeout(() => this.#queue(key, opened), this.#options.windowMs);
      }
      const joined = batch;
      const waiter: Waiter<T, R> = {
        item,
        resolve: (value) => {
          release(waiter);
          resolve(value);
        },
        reject: (error) => {
          release(waiter);
          reject(error);
        },
        signal,
      };
      batch.waiters.push(waiter);
      if (signal) {
        waiter.onAbort = () => {
          if (joined.started) return;
          const at = joined.waiters.indexOf(waiter);
          if (at >= 0) joined.waiters.splice(at, 1);
          waiter.reject(abortError(signal));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      if (this.#options.maxBatch !== undefined && batch.waiters.length >= this.#options.maxBatch) {
        this.#open.delete(key);
        this.#queue(key, batch);
      }
    });
  }

  /** Ends the window: the batch waits behind running batches and takes requests until it starts. */
  #queue(key: string, batch: OpenBatch<T, R>): void {
    if (batch.queued) return;
    batch.queued = true;
    this.#tail = this.#tail.then(() => this.#run(key, batch));
  }

  async #run(key: string, batch: OpenBatch<T, R>): Promise<void> {
    batch.started = true;
    if (this.#open.get(key) === batch) this.#open.delete(key);
    const waiters = batch.waiters;
    if (waiters.length === 0) return;
    this.#batches++;
    const cancel = allAborted(waiters.map((w) => w.signal));
    try {
      const outcomes = await this.#options.run(
        key,
        waiters.map((w) => w.item),
        cancel.signal,
      );
      waiters.forEach((w, i) => {
        const outcome = outcomes[i];
        if (!outcome) w.reject(new Error('batch runner returned no outcome for this request'));
        else if (outcome.ok) w.resolve(outcome.value);
        else w.reject(outcome.error);
      });
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const w of waiters) w.reject(failure);
    } finally {
      cancel.dispose();
    }
  }
}

/**
 * A signal that aborts once every request of the batch has been cancelled (never, if one cannot be),
 * and the clean-up that detaches it from the requests' signals.
 */
function allAborted(signals: readonly (AbortSignal | undefined)[]): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  if (signals.some((s) => s === undefined)) return { signal: controller.signal, dispose: () => undefined };
  const defined = signals as readonly AbortSignal[];
  const check = (): void => {
    if (defined.every((s) => s.aborted)) controller.abort(defined[0]?.reason);
  };
  for (const s of defined) s.addEventListener('abort', check, { once: true });
  check();
  return { signal: controller.signal, dispose: () => defined.forEach((s) => s.removeEventListener('abort', check)) };
}

function release<T, R>(waiter: Waiter<T, R>): void {
  if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
