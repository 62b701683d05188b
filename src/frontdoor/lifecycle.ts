/**
 * Graceful shutdown (SIGTERM). The server stops admitting jobs, lets the running ones finish within the
 * grace period while their clients keep receiving them to the end, and only then closes. A stream whose
 * run outlives the grace is ended with CNV_ERR_JOB_INTERRUPTED, naming the nodes that had finished, so a
 * restart by systemd never reads as "call cancelled" and never hides what was done.
 */
import { ConvergeError } from '../errors.js';
import type { EventSink } from './executor.js';
import type { Run } from './runs.js';

/** Names listed in an interruption message; the rest are counted. */
const LISTED_NODES = 50;

export interface StreamTicket {
  /** Aborted, with the CNV_ERR_JOB_INTERRUPTED error as reason, when the grace runs out. */
  readonly interrupted: AbortSignal;
  /** Called once the stream has ended, however it ended. */
  done(): void;
}

interface Tracked {
  readonly run: Run;
  readonly interrupt: AbortController;
  readonly finished: Promise<void>;
  readonly resolve: () => void;
}

/** What a run had finished when it was cut off. */
export function interruptedError(run: Run, graceMs: number): ConvergeError {
  const finished: string[] = [];
  for (let i = 0; i < run.eventCount; i += 1) {
    const event = run.eventAt(i)!.event;
    if (event.run === 'FINISHED') finished.push(event.id);
  }
  const listed = finished.slice(0, LISTED_NODES).join(', ');
  const more = finished.length > LISTED_NODES ? ` and ${finished.length - LISTED_NODES} more` : '';
  return new ConvergeError(
    'CNV_ERR_JOB_INTERRUPTED',
    `the server shut down before ${run.kind} run ${run.id} finished (--shutdown-grace ${graceMs} ms passed); ` +
      `${finished.length} node(s) had finished${finished.length > 0 ? `: ${listed}${more}` : ''}`,
    { run: run.id, finished: finished.length },
  );
}

export class Lifecycle {
  #draining = false;
  readonly #streams = new Set<Tracked>();

  get draining(): boolean {
    return this.#draining;
  }

  /** Throws when the server takes no new jobs. Transports call it before starting one. */
  admit(): void {
    if (this.#draining) {
      throw new ConvergeError('CNV_ERR_SERVER_SHUTTING_DOWN', 'the server is shutting down and takes no new jobs; retry when it is back');
    }
  }

  /** Registers a client stream of `run` until its ticket's done(). */
  track(run: Run): StreamTicket {
    let resolve!: () => void;
    const finished = new Promise<void>((r) => {
      resolve = r;
    });
    const tracked: Tracked = { run, interrupt: new AbortController(), finished, resolve };
    this.#streams.add(tracked);
    return {
      interrupted: tracked.interrupt.signal,
      done: () => {
        this.#streams.delete(tracked);
        tracked.resolve();
      },
    };
  }

  /**
   * Stops admitting, waits until every stream and `alsoWait` (jobs with no client) are done or `graceMs`
   * has passed, then interrupts the streams still open and gives them `flushMs` to send that.
   * Resolves with how many streams finished and how many were interrupted.
   */
  async drain(graceMs: number, alsoWait: Promise<void>, flushMs = 2000): Promise<{ finished: number; interrupted: number }> {
    this.#draining = true;
    const total = this.#streams.size;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    const everything = Promise.all([...[...this.#streams].map((s) => s.finished), alsoWait]).then(() => undefined);
    await Promise.race([everything, grace]);
    clearTimeout(timer);
    const left = [...this.#streams];
    for (const stream of left) stream.interrupt.abort(interruptedError(stream.run, graceMs));
    if (left.length > 0) {
      let flush: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(left.map((s) => s.finished)),
        new Promise<void>((resolve) => {
          flush = setTimeout(resolve, flushMs);
        }),
      ]);
      clearTimeout(flush);
    }
    return { finished: total - left.length, interrupted: left.length };
  }
}

/** `sink` as a pump sees it during shutdown: gone when the client goes, or when the grace runs out. */
export function interruptible<M>(sink: EventSink<M>, interrupted: AbortSignal): EventSink<M> {
  const gone = AbortSignal.any([sink.gone, interrupted]);
  return {
    gone,
    start: (headers) => sink.start(headers),
    write: (message) => sink.write(message),
    drained: () =>
      new Promise<void>((resolve) => {
        if (gone.aborted) return resolve();
        const done = (): void => {
          gone.removeEventListener('abort', done);
          resolve();
        };
        gone.addEventListener('abort', done, { once: true });
        void sink.drained().then(done);
      }),
  };
}
