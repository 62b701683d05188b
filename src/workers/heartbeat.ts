/**
 * Which worker threads are stuck. A thread runs many jobs at once; one of them in a long synchronous
 * loop (a runaway template) holds the whole thread, and the others on it with it. Each thread counts
 * the turns of its event loop in a shared table; the main thread samples the counts, and a thread whose
 * count has not moved for STUCK_AFTER_MS is stuck. The pool sends new jobs elsewhere, and a cancelled job
 * whose thread is stuck gets its thread replaced (pool.ts). A busy but responsive thread is never
 * replaced: its jobs are waiting for processes or files, not holding the CPU.
 */
import { threadId } from 'node:worker_threads';

/** Threads the table can follow at once; slots of exited threads are reused. */
const SLOTS = 256;
/** How often a thread counts a turn, in milliseconds. */
const BEAT_MS = 50;
/** A thread whose count has not moved for this long is stuck, in milliseconds. */
export const STUCK_AFTER_MS = 300;

/** Int32 fields per slot: the owning threadId (0 when free), its turn count, and its blocked flag. */
const FIELDS = 3;

/** The shared table, SLOTS slots of FIELDS fields. */
export function createHeartbeatTable(): SharedArrayBuffer {
  return new SharedArrayBuffer(SLOTS * FIELDS * Int32Array.BYTES_PER_ELEMENT);
}

/**
 * Worker side: claims a slot for this thread and counts its turns until the thread ends. Returns what
 * a synchronous loop calls to say, from inside, that it has held the thread too long already: the main
 * thread then counts the thread as stuck at once, without waiting STUCK_AFTER_MS. The next turn clears it.
 */
export function startHeartbeat(buffer: SharedArrayBuffer): () => void {
  const table = new Int32Array(buffer);
  for (let slot = 0; slot < SLOTS; slot += 1) {
    if (Atomics.compareExchange(table, slot * FIELDS, 0, threadId) !== 0) continue;
    setInterval(() => {
      Atomics.add(table, slot * FIELDS + 1, 1);
      Atomics.store(table, slot * FIELDS + 2, 0);
    }, BEAT_MS).unref();
    return () => Atomics.store(table, slot * FIELDS + 2, 1);
  }
  // No free slot: this thread is never seen as stuck, which only costs the redirection of new jobs.
  return () => undefined;
}

/**
 * Main side: answers whether a thread is stuck. It samples every BEAT_MS * 2, so it knows within that
 * when each count last moved, and again before each answer, so that a main thread that was itself
 * busy for a while does not take that pause for a stuck worker.
 */
export class ThreadWatch {
  readonly #table: Int32Array;
  readonly #liveThreads: () => readonly number[];
  /** threadId -> last count seen, when it last moved, and whether the thread says it is blocked. */
  readonly #seen = new Map<number, { count: number; movedAt: number; blocked: boolean }>();
  #sampledAt = -Infinity;
  readonly #timer: NodeJS.Timeout;

  constructor(buffer: SharedArrayBuffer, liveThreads: () => readonly number[]) {
    this.#table = new Int32Array(buffer);
    this.#liveThreads = liveThreads;
    this.#timer = setInterval(() => this.sample(), BEAT_MS * 2).unref();
  }

  close(): void {
    clearInterval(this.#timer);
  }

  sample(): void {
    const now = performance.now();
    // The balancer asks once per thread per job; a sample a few milliseconds old is as good.
    if (now - this.#sampledAt < 5) return;
    this.#sampledAt = now;
    const live = new Set(this.#liveThreads());
    for (let slot = 0; slot < SLOTS; slot += 1) {
      const owner = Atomics.load(this.#table, slot * FIELDS);
      if (owner === 0) continue;
      if (!live.has(owner)) {
        // The thread has gone (replaced or idle-closed): free its slot for the next one.
        Atomics.store(this.#table, slot * FIELDS + 1, 0);
        Atomics.store(this.#table, slot * FIELDS + 2, 0);
        Atomics.store(this.#table, slot * FIELDS, 0);
        this.#seen.delete(owner);
        continue;
      }
      const count = Atomics.load(this.#table, slot * FIELDS + 1);
      const blocked = Atomics.load(this.#table, slot * FIELDS + 2) !== 0;
      const last = this.#seen.get(owner);
      if (last === undefined || last.count !== count) this.#seen.set(owner, { count, movedAt: now, blocked });
      else last.blocked = blocked;
    }
  }

  /** True when `thread` is known and says it is blocked, or its event loop has not turned for STUCK_AFTER_MS. */
  isStuck(thread: number): boolean {
    this.sample();
    const last = this.#seen.get(thread);
    return last !== undefined && (last.blocked || performance.now() - last.movedAt >= STUCK_AFTER_MS);
  }
}
