/**
 * Schedules: `plan m.hcl every 30m` or `apply m.hcl every 30m`, one a line. The interval takes Go
 * duration syntax (`30m`, `1h30m`, `500ms`), read by src/go/duration.ts as every other duration of the
 * server's flags and of modules is, so one spelling works everywhere.
 */
import { ConvergeError } from '../errors.js';
import { parseGoDuration } from '../go/duration.js';

/** Shortest interval a schedule may have: below it a tick is mostly overhead. */
export const MIN_SCHEDULE_INTERVAL_MS = 100;

export type ScheduleKind = 'plan' | 'apply';

export interface Schedule {
  readonly kind: ScheduleKind;
  /** The module, as written; relative paths resolve against the server's working directory. */
  readonly location: string;
  readonly everyMs: number;
  /** The line as written (trimmed): the schedule's name in logs and in metric labels. */
  readonly text: string;
}

const SCHEDULE = /^(\S+)\s+(\S+)\s+every\s+(\S+)$/;

/**
 * Parses one schedule line. `where` names its origin for the error (`--schedule`, `FILE:LINE`);
 * every error is CNV_ERR_SCHEDULE_INVALID and says what is wrong.
 */
export function parseSchedule(line: string, where: string): Schedule {
  const text = line.trim();
  const fail = (reason: string): never => {
    throw new ConvergeError('CNV_ERR_SCHEDULE_INVALID', `${where}: ${reason} in schedule "${text}" (expected "plan|apply MODULE every DURATION", e.g. "plan m.hcl every 30m")`, {
      where,
      schedule: text,
    });
  };
  const match = SCHEDULE.exec(text);
  if (match === null) return fail(text === '' ? 'empty schedule' : 'not of the form KIND MODULE every DURATION');
  const [, kind, location, interval] = match as unknown as [string, string, string, string];
  if (kind !== 'plan' && kind !== 'apply') return fail(`unknown kind "${kind}" (plan or apply)`);
  let nanos: number;
  try {
    nanos = parseGoDuration(interval);
  } catch (error) {
    return fail(`bad interval "${interval}": ${(error as Error).message.replace(/^time: /, '')}`);
  }
  const everyMs = nanos / 1e6;
  if (!(everyMs >= MIN_SCHEDULE_INTERVAL_MS)) return fail(`interval "${interval}" is shorter than ${MIN_SCHEDULE_INTERVAL_MS}ms`);
  // setInterval holds at most a signed 32-bit count of milliseconds (about 24.8 days).
  if (everyMs > 2 ** 31 - 1) return fail(`interval "${interval}" is longer than 24 days`);
  return { kind, location, everyMs: Math.round(everyMs), text };
}

/**
 * Parses a schedule file: one schedule a line; blank lines and lines starting with `#` are skipped.
 * `file` names the file in errors (`FILE:LINE: reason`).
 */
export function parseScheduleFile(content: string, file: string): Schedule[] {
  const schedules: Schedule[] = [];
  content.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    schedules.push(parseSchedule(trimmed, `${file}:${index + 1}`));
  });
  return schedules;
}
