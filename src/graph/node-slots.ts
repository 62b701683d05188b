/**
 * Node slots: a limit on node checks and applies in flight across every run of one worker thread,
 * handed out round-robin across the runs that wait for one. Without it a thread that interleaves
 * hundreds of jobs would start nodes in arrival order, so the last run to arrive would wait behind every
 * node of every run before it; with it each waiting run gets one slot per turn, and a small plan behind
 * fifty large ones starts its first node within one turn. Per-run parallelism stays the walk's own
 * limit; a run asks for a slot only for a node it is allowed to start.
 *
 * One scheduler per thread (module state), installed by the worker entry; without one (the engine run
 * in-process, as the tests and benchmarks do) walks take no slots.
 */

/** Gives the slot back; calling it again does nothing. */
export type Release = () => void;

/** One walk's line at the scheduler. */
export interface SlotLane {
  /** Calls `start` once a slot is this lane's: at once when one is free, else in its turn. */
  request(start: (release: Release) => void): void;
  /** Drops the requests not yet granted, and says how many there were. */
  cancelPending(): number;
  /** Requests not yet granted. */
  readonly pending: number;
}

class Lane implements SlotLane {
  readonly queue: Array<(release: Release) => void> = [];
  queued = false;
  readonly #owner: NodeSlots;

  constructor(owner: NodeSlots) {
    this.#owner = owner;
  }

  get pending(): number {
    return this.queue.length;
  }

  request(start: (release: Release) => void): void {
    this.#owner.request(this, start);
  }

  cancelPending(): number {
    const dropped = this.queue.length;
    this.queue.length = 0;
    return dropped;
  }
}

export class NodeSlots {
  readonly limit: number;
  #inUse = 0;
  /** Lanes with a request waiting, in turn order. A lane appears at most once. */
  readonly #ring: Lane[] = [];
  #head = 0;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new TypeError(`Expected \`limit\` to be an integer >= 1, got \`${limit}\``);
    this.limit = limit;
  }

  /** Slots held now. */
  get inUse(): number {
    return this.#inUse;
  }

  lane(): SlotLane {
    return new Lane(this);
  }

  /** @internal Lane.request. */
  request(lane: Lane, start: (release: Release) => void): void {
    lane.queue.push(start);
    if (!lane.queued) {
      lane.queued = true;
      this.#ring.push(lane);
    }
    // With a slot free, the ring holds at most lanes whose requests were cancelled: this request is
    // granted now, after them.
    if (this.#inUse < this.limit) this.#next();
  }

  #grant(start: (release: Release) => void): void {
    this.#inUse += 1;
    let released = false;
    start(() => {
      if (released) return;
      released = true;
      this.#inUse -= 1;
      this.#next();
    });
  }

  /** Hands free slots to waiting lanes, one request per lane per turn. */
  #next(): void {
    while (this.#inUse < this.limit && this.#head < this.#ring.length) {
      const lane = this.#ring[this.#head]!;
      this.#head += 1;
      const start = lane.queue.shift();
      if (lane.queue.length > 0) this.#ring.push(lane);
      else lane.queued = false;
      if (this.#head > 1024 && this.#head * 2 > this.#ring.length) {
        this.#ring.splice(0, this.#head);
        this.#head = 0;
      }
      // A lane whose requests were cancelled has none left; its turn passes.
      if (start !== undefined) this.#grant(start);
    }
  }
}

let threadSlots: NodeSlots | undefined;

/** Installs this thread's scheduler (the worker entry does, once). */
export function installNodeSlots(limit: number): NodeSlots {
  threadSlots = new NodeSlots(limit);
  return threadSlots;
}

/** This thread's scheduler, if one is installed. */
export function nodeSlots(): NodeSlots | undefined {
  return threadSlots;
}
