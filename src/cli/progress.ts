/**
 * Live progress on stderr while a job runs, only when stderr is a terminal: one line with nodes done out of
 * the total and what is running now (the original showed a similar `Active:` panel). The line is redrawn on
 * a timer, erased before any log line, and erased for good when the job ends, so it never reaches stdout or
 * a log file. Before the walk, a slow load shows how far it has come (files read, nodes rendered); a
 * --local load holds this thread, so the timer cannot fire then, and each loading report draws at once.
 */
import type { LoadingProgress } from '../protocol.js';
import type { JobResults } from './job-results.js';

/** How often the line is redrawn. */
const REDRAW_INTERVAL_MS = 100;
/** Running nodes named on the line; the rest are counted. */
const MAX_NAMED = 3;

export class ProgressLine {
  readonly #stream: NodeJS.WriteStream;
  readonly #results: JobResults;
  readonly #label: string;
  #timer: NodeJS.Timeout | undefined;
  #drawn = false;
  #loading: LoadingProgress | undefined;

  constructor(stream: NodeJS.WriteStream, results: JobResults, label: string) {
    this.#stream = stream;
    this.#results = results;
    this.#label = label;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.draw(), REDRAW_INTERVAL_MS);
    this.#timer.unref();
  }

  /** A loading report: shown until the walk starts, drawn now (reports come at most every 100 ms). */
  loading(progress: LoadingProgress): void {
    this.#loading = progress;
    this.draw();
  }

  /** The text of the line for a moment in time (exported through draw for tests). */
  text(now = Date.now()): string {
    const { done, total, running } = this.#results.progress();
    if (total === 0 && this.#loading !== undefined) {
      const { files, nodes, rendered } = this.#loading;
      const phase = rendered === 0 ? `${nodes} nodes declared` : `${rendered}/${nodes} nodes rendered`;
      return `${this.#label}: loading: ${files} ${files === 1 ? 'file' : 'files'} read, ${phase}`;
    }
    running.sort((a, b) => a.since - b.since);
    const named = running
      .slice(0, MAX_NAMED)
      .map((r) => `${r.id} (${Math.floor((now - r.since) / 1000)}s)`)
      .join(', ');
    const more = running.length > MAX_NAMED ? ` +${running.length - MAX_NAMED} more` : '';
    const shownTotal = total > 0 ? String(total) : '?';
    return `${this.#label}: ${done}/${shownTotal} nodes done${named === '' ? '' : `; running ${named}${more}`}`;
  }

  draw(): void {
    // A pseudo-terminal without a size reports 0 columns.
    const columns = this.#stream.columns > 0 ? this.#stream.columns : 80;
    let line = this.text();
    if (line.length >= columns) line = line.slice(0, Math.max(0, columns - 2)) + '…';
    this.#stream.write(`\r\x1b[2K${line}`);
    this.#drawn = true;
  }

  /** Erases the line (before a log line, or at the end). */
  clear(): void {
    if (!this.#drawn) return;
    this.#stream.write('\r\x1b[2K');
    this.#drawn = false;
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.clear();
  }
}
