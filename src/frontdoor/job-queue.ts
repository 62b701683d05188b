/**
 * Admission and ordering of jobs. Plans, healthchecks and graphs start at once, up to a large limit
 * (they then share node slots fairly inside the workers, see src/graph/node-slots.ts); applies run one at
 * a time, because two applies on one server change the same machine. A job that cannot start at once
 * waits. The waiting room is bounded by a count and every admitted job by its estimated memory; past
 * either bound the job is refused at once with CNV_ERR_QUEUE_FULL, naming the bound and its flag, so a
 * client never hangs on a full server.
 */
import PQueue from 'p-queue';
import { DEFAULT_MAX_QUEUE_MEMORY_MB, DEFAULT_MAX_RUNNING_JOBS, DEFAULT_MAX_WAITING } from '../defaults.js';
import { ConvergeError } from '../errors.js';
import type { JobKind } from '../protocol.js';
import type { QueuedNotice } from './runs.js';

export interface JobQueueOptions {
  /** Plans, healthchecks and graphs running at once (applies have their own single slot). @default 1024 */
  readonly maxRunning?: number;
  /** Jobs allowed to wait, of all kinds together. @default 4096 */
  readonly maxWaiting?: number;
  /** Estimated bytes of every admitted job together, running and waiting. @default 1 GiB */
  readonly maxMemoryBytes?: number;
}

const MIB = 1024 * 1024;

export function resolveJobQueueOptions(input: JobQueueOptions = {}): Readonly<Required<JobQueueOptions>> {
  const options = {
    maxRunning: input.maxRunning ?? DEFAULT_MAX_RUNNING_JOBS,
    maxWaiting: input.maxWaiting ?? DEFAULT_MAX_WAITING,
    maxMemoryBytes: input.maxMemoryBytes ?? DEFAULT_MAX_QUEUE_MEMORY_MB * MIB,
  };
  if (!Number.isInteger(options.maxRunning) || options.maxRunning < 1) {
    throw new TypeError(`Expected \`maxRunning\` to be an integer >= 1, got \`${options.maxRunning}\``);
  }
  if (!Number.isInteger(options.maxWaiting) || options.maxWaiting < 0) {
    throw new TypeError(`Expected \`maxWaiting\` to be an integer >= 0, got \`${options.maxWaiting}\``);
  }
  if (!Number.isFinite(options.maxMemoryBytes) || options.maxMemoryBytes <= 0) {
    throw new TypeError(`Expected \`maxMemoryBytes\` to be a number > 0, got \`${options.maxMemoryBytes}\``);
  }
  return Object.freeze(options);
}

export interface Submission {
  readonly runId: string;
  readonly kind: JobKind;
  /** Estimated bytes the job holds on the server while admitted (see jobCost in executor.ts). @default 0 */
  readonly cost?: number;
  /** Aborting removes a waiting job from the queue; a running job must watch the signal itself. */
  readonly signal?: AbortSignal;
  /** Called synchronously from submit() when the job has to wait. */
  readonly onQueued?: (notice: QueuedNotice) => void;
}

function mib(bytes: number): string {
  return `${Math.ceil(bytes / MIB)} MiB`;
}

export class JobQueue {
  readonly #options: Readonly<Required<JobQueueOptions>>;
  readonly #shared: PQueue;
  readonly #applies = new PQueue({ concurrency: 1 });
  /** Apply run ids in order: the running one (if any) first, then those waiting. */
  readonly #applyLine: string[] = [];
  #admittedBytes = 0;

  constructor(options: JobQueueOptions = {}) {
    this.#options = resolveJobQueueOptions(options);
    this.#shared = new PQueue({ concurrency: this.#options.maxRunning });
  }

  get options(): Readonly<Required<JobQueueOptions>> {
    return this.#options;
  }

  /** Jobs waiting to start, of all kinds. */
  get waiting(): number {
    return this.#shared.size + this.#applies.size;
  }

  /** Jobs running now. */
  get running(): number {
    return this.#shared.pending + this.#applies.pending;
  }

  /** Estimated bytes held by the jobs admitted now, running and waiting. */
  get admittedBytes(): number {
    return this.#admittedBytes;
  }

  /** The refusal for a job that does not fit, or undefined when it does. */
  #refusal(startsNow: boolean, cost: number): ConvergeError | undefined {
    const fields = { running: this.running, waiting: this.waiting, admittedBytes: this.#admittedBytes };
    const { maxWaiting, maxMemoryBytes } = this.#options;
    if (!startsNow && this.waiting >= maxWaiting) {
      return new ConvergeError(
        'CNV_ERR_QUEUE_FULL',
        `server is busy: ${this.running} jobs running and ${this.waiting} waiting (limit ${maxWaiting}, raise it with --max-waiting); retry later`,
        { ...fields, limit: 'max-waiting', value: maxWaiting },
      );
    }
    if (this.#admittedBytes + cost > maxMemoryBytes && this.running + this.waiting > 0) {
      return new ConvergeError(
        'CNV_ERR_QUEUE_FULL',
        `server is busy: ${this.running + this.waiting} admitted jobs hold an estimated ${mib(this.#admittedBytes)} and this one needs ${mib(cost)} (limit ${mib(maxMemoryBytes)}, raise it with --max-queue-memory); retry later`,
        { ...fields, limit: 'max-queue-memory', value: maxMemoryBytes },
      );
    }
    return undefined;
  }

  /**
   * Runs `task` when its turn comes. Rejects at once with CNV_ERR_QUEUE_FULL when the job would have
   * to wait and the waiting room is full, or when it would take admitted jobs past the memory bound;
   * rejects with the signal's reason if aborted while waiting.
   */
  async submit<T>(submission: Submission, task: () => Promise<T>): Promise<T> {
    const isApply = submission.kind === 'apply';
    const queue = isApply ? this.#applies : this.#shared;
    const cost = Math.max(0, submission.cost ?? 0);
    const startsNow = isApply
      ? this.#applyLine.length === 0
      : queue.pending < this.#options.maxRunning && queue.size === 0;
    const refusal = this.#refusal(startsNow, cost);
    if (refusal !== undefined) throw refusal;
    if (!startsNow) {
      const behind = isApply ? (this.#applyLine.at(-1) ?? '') : '';
      const position = isApply ? this.#applyLine.length : queue.size + 1;
      const text = isApply
        ? `queued: apply ${submission.runId} waits behind apply ${behind} (position ${position})`
        : `queued: ${submission.kind} ${submission.runId} waits for a free slot (position ${position})`;
      submission.onQueued?.({ kind: 'queued', runId: submission.runId, behind, position, text });
    }
    if (isApply) this.#applyLine.push(submission.runId);
    this.#admittedBytes += cost;
    try {
      const options = submission.signal === undefined ? {} : { signal: submission.signal };
      return (await queue.add(task, options)) as T;
    } finally {
      this.#admittedBytes -= cost;
      if (isApply) this.#applyLine.splice(this.#applyLine.indexOf(submission.runId), 1);
    }
  }

  /** Waits for every running and waiting job to settle. */
  async idle(): Promise<void> {
    await Promise.all([this.#shared.onIdle(), this.#applies.onIdle()]);
  }
}
