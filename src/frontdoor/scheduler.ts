/**
 * Scheduled convergence: each schedule starts an ordinary run (admitted by the queue, recorded in the
 * run store with who = "schedule", logged like a client's) every interval. A schedule never overlaps
 * itself: a tick that finds the previous run still going is skipped and counted, so a slow apply
 * cannot pile up runs behind it. A plan's verdict sets the module's drift gauge.
 */
import type { JobSpec } from '../protocol.js';
import { startJob, summarise } from './executor.js';
import type { FrontDoor } from './front-door.js';
import { NO_METRICS } from './metrics.js';
import { outcomeOf } from './run-outcome.js';
import type { Schedule } from './schedule.js';
import type { LoadRequest } from './wire/load-request.js';

/** The audit name of scheduled runs in the run store and the logs. */
export const SCHEDULE_WHO = 'schedule';

export interface SchedulerOptions {
  /** Start every schedule's first run at once instead of after one interval. @default false */
  readonly atStart?: boolean;
}

function requestFor(schedule: Schedule): LoadRequest {
  return { location: schedule.location, parameters: {}, verify: false, content: '', acceptNotices: false, parametersJson: '', savePlan: false, savedPlan: '', files: {} };
}

export class Scheduler {
  readonly #front: FrontDoor;
  readonly #schedules: readonly Schedule[];
  readonly #atStart: boolean;
  readonly #timers: NodeJS.Timeout[] = [];
  /** Indexes of schedules whose run has not finished yet. */
  readonly #busy = new Set<number>();
  // Scheduled runs have no client to go away; they end with the run or with the pool.
  readonly #noClient = new AbortController().signal;
  #stopped = false;

  constructor(front: FrontDoor, schedules: readonly Schedule[], options: SchedulerOptions = {}) {
    this.#front = front;
    this.#schedules = schedules;
    this.#atStart = options.atStart ?? false;
  }

  start(): void {
    this.#schedules.forEach((schedule, index) => {
      const timer = setInterval(() => this.#tick(index), schedule.everyMs);
      // The server's listener keeps the process alive; a schedule alone should not.
      timer.unref();
      this.#timers.push(timer);
      this.#front.logger.log('INFO', 'schedule set', { component: 'schedule', schedule: schedule.text, everyMs: schedule.everyMs, atStart: this.#atStart });
      if (this.#atStart) this.#tick(index);
    });
  }

  /** No tick after this; runs already started finish as any run does. */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers.length = 0;
  }

  #tick(index: number): void {
    const schedule = this.#schedules[index]!;
    const { logger, lifecycle } = this.#front;
    const metrics = this.#front.metrics ?? NO_METRICS;
    if (this.#stopped || lifecycle.draining) return;
    if (this.#busy.has(index)) {
      metrics.scheduleSkipped(schedule.text);
      logger.log('INFO', 'schedule tick skipped: its previous run is still going', { component: 'schedule', schedule: schedule.text });
      return;
    }
    let spec: JobSpec;
    try {
      spec = this.#front.spec(schedule.kind, requestFor(schedule), undefined);
    } catch (error) {
      logger.log('ERROR', 'scheduled run not started', { component: 'schedule', schedule: schedule.text, error: (error as Error).message });
      return;
    }
    this.#busy.add(index);
    const { run, settled } = startJob(this.#front, spec, this.#noClient, { who: SCHEDULE_WHO, peer: '' });
    logger.log('INFO', 'scheduled run', { component: 'schedule', schedule: schedule.text, run: run.id });
    void settled.then(() => {
      this.#busy.delete(index);
      const { errors, changed } = summarise(run);
      if (outcomeOf(run.outcome, errors) !== 'ok') return;
      // A plan that could check every node knows whether the machine drifted; a clean apply converged it.
      metrics.drift(schedule.location, schedule.kind === 'plan' && changed > 0);
    });
  }
}
