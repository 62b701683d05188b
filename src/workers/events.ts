/**
 * Batches a job's progress events on the worker side. Posting one message per node costs a structured
 * clone and a wake-up of the main thread each; a 100,000-node walk would spend more time posting than
 * walking. Events produced in the same turn of the event loop go out as one message, and a batch never
 * waits longer than that turn, so a client sees a node start as soon as the worker yields.
 */
import type { NodeEvent, WorkerPortMessage } from '../protocol.js';

/** Largest batch posted at once; bounds the size of one structured clone. */
export const MAX_EVENTS_PER_BATCH = 512;

/** Where batches go: the job's MessagePort in a worker, a callback when the job runs inline. */
export interface BatchTarget {
  postMessage(message: WorkerPortMessage): void;
}

export class EventBatcher {
  readonly #port: BatchTarget;
  #pending: NodeEvent[] = [];
  #scheduled: NodeJS.Immediate | undefined;
  #first = true;
  /** Whether anything was sent or queued: a job that has sent nothing can still be run elsewhere. */
  posted = false;

  constructor(port: BatchTarget) {
    this.#port = port;
  }

  post(message: WorkerPortMessage): void {
    this.posted = true;
    this.flush();
    this.#port.postMessage(message);
  }

  push(event: NodeEvent): void {
    this.posted = true;
    this.#pending.push(event);
    // The first event goes at once: a thread that has just taken many jobs loads each of them before
    // its next turn, and a client should not wait for the others' loads to see its first node start.
    if (this.#first || this.#pending.length >= MAX_EVENTS_PER_BATCH) {
      this.#first = false;
      this.flush();
    } else if (this.#scheduled === undefined) {
      this.#scheduled = setImmediate(() => this.flush());
    }
  }

  flush(): void {
    if (this.#scheduled !== undefined) {
      clearImmediate(this.#scheduled);
      this.#scheduled = undefined;
    }
    if (this.#pending.length === 0) return;
    const events = this.#pending;
    this.#pending = [];
    this.#port.postMessage({ type: 'events', events } satisfies WorkerPortMessage);
  }
}
