/**
 * Admission and ordering of jobs. Plans, healthchecks and graphs run concurrently up to a limit;
 * applies run one at a time, because two applies on one server change the same machine. A job that
 * cannot start at once waits, up to a limit; past it the job is refused at once with
 * CNV_ERR_QUEUE_FULL, so a client never hangs on a full server.
 */
import PQueue from 'p-queue';
import { ConvergeError } from '../errors.js';
import type { JobKind } from '../protocol.js';
import type { QueuedNotice } from './runs.js';

export interface JobQueueOptions {
  /** Plans, healthchecks and graphs running at once (applies have their own single slot). @default 16 */
  readonly maxRunning?: number;
  /** Jobs allowed to wait, of all kinds together. @default 64 */
  readonly maxWaiting?: number;
}

const JOB_QUEUE_DEFAULTS = { maxRunning: 16, maxWaiting: 64 } as const satisfies Required<JobQueueOptions>;

export function resolveJobQueueOptions(input: JobQueueOptions = {}): Readonly<Required<JobQueueOptions>> {
  const options = {
    maxRunning: input.maxRunning ?? JOB_QUEUE_DEFAULTS.maxRunning,
    maxWaiting: input.maxWaiting ?? JOB_QUEUE_DEFAULTS.maxWaiting,
  };
  if (!Number.isInteger(options.maxRunning) || options.maxRunning < 1) {
    throw new TypeError(`Expected \`maxRunning\` to be an integer >= 1, got \`${options.maxRunning}\``);
  }
  if (!Number.isInteger(options.maxWaiting) || options.maxWaiting < 0) {
    throw new TypeError(`Expected \`maxWaiting\` to be an integer >= 0, got \`${options.maxWaiting}\``);
  }
  return Object.freeze(options);
}

export interface Submission {
  readonly runId: string;
  readonly kind: JobKind;
  /** Aborting removes a waiting job from the queue; a running job must watch the signal itself. */
  readonly signal?: AbortSignal;
  /** Called synchronously from submit() when the job has to wait. */
  readonly onQueued?: (notice: QueuedNotice) => void;
}

export class JobQueue {
  readonly #options: Readonly<Required<JobQueueOptions>>;
  readonly #shared: PQueue;
  readonly #applies = new PQueue({ concurrency: 1 });
  /** Apply run ids in order: the running one (if any) first, then those waiting. */
  readonly #applyLine: string[] = [];

  constructor(options: JobQueueOptions = {}) {
    this.#options = resolveJobQueueOptions(options);
    this.#shared = new PQueue({ concurrency: this.#options.maxRunning });
  }

  /** Jobs waiting to start, of all kinds. */
  get waiting(): number {
    return this.#shared.size + this.#applies.size;
  }

  /** Jobs running now. */
  get running(): number {
    return this.#shared.pending + this.#applies.pending;
  }

  /**
   * Runs `task` when its turn comes. Rejects at once with CNV_ERR_QUEUE_FULL when the job would have
   * to wait and the waiting room is full; rejects with the signal's reason if aborted while waiting.
   */
  async submit<T>(submission: Submission, task: () => Promise<T>): Promise<T> {
    const isApply = submission.kind === 'apply';
    const queue = isApply ? this.#applies : this.#shared;
    const startsNow = isApply
      ? this.#applyLine.length === 0
      : queue.pending < this.#options.maxRunning && queue.size === 0;
    if (!startsNow && this.waiting >= this.#options.maxWaiting) {
      throw new ConvergeError(
        'CNV_ERR_QUEUE_FULL',
        `server is busy: ${this.running} jobs running and ${this.waiting} waiting (limit ${this.#options.maxWaiting}); retry later`,
        { running: this.running, waiting: this.waiting },
      );
    }
    if (!startsNow) {
      const behind = isApply ? (this.#applyLine.at(-1) ?? '') : '';
      const position = isApply ? this.#applyLine.length : queue.size + 1;
      const text = isApply
        ? `queued: apply ${submission.runId} waits behind apply ${behind} (position ${position})`
        : `queued: ${submission.kind} ${submission.runId} waits for a free slot (position ${position})`;
      submission.onQueued?.({ kind: 'queued', runId: submission.runId, behind, position, text });
    }
    if (isApply) this.#applyLine.push(submission.runId);
    try {
      const options = submission.signal === undefined ? {} : { signal: submission.signal };
      return (await queue.add(task, options)) as T;
    } finally {
      if (isApply) this.#applyLine.splice(this.#applyLine.indexOf(submission.runId), 1);
    }
  }

  /** Waits for every running and waiting job to settle. */
  async idle(): Promise<void> {
    await Promise.all([this.#shared.onIdle(), this.#applies.onIdle()]);
  }
}
