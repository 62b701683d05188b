/**
 * Reports how a job's loading goes (files read, nodes declared, nodes rendered) to whoever shows
 * progress. A 10,000-node module takes a second or more to load and render before its first node
 * starts, and a progress line that says `0/?` all that time looks hung. Reports start only once a
 * load has taken LOADING_QUIET_MS, so that small modules (nearly all) send nothing, and then come at
 * most every LOADING_EVERY_MS; the loops call `tick` freely, which is a clock read.
 */
import type { LoadingProgress } from '../protocol.js';

/** A load shorter than this reports nothing. */
export const LOADING_QUIET_MS = 200;
/** Least time between two reports. */
export const LOADING_EVERY_MS = 100;

export class LoadingReporter {
  readonly #report: (progress: LoadingProgress) => void;
  #next: number;
  files = 0;
  nodes = 0;
  rendered = 0;

  constructor(report: (progress: LoadingProgress) => void, now = performance.now()) {
    this.#report = report;
    this.#next = now + LOADING_QUIET_MS;
  }

  /** Reports the counts as they are, when the last report is old enough. */
  tick(): void {
    const now = performance.now();
    if (now < this.#next) return;
    this.#next = now + LOADING_EVERY_MS;
    this.#report({ files: this.files, nodes: this.nodes, rendered: this.rendered });
  }
}

/** A reporter for jobs that nobody watches load. */
export function silentLoading(): LoadingReporter {
  return new LoadingReporter(() => undefined, Number.POSITIVE_INFINITY);
}
