/**
 * `converge server` flags for scheduled convergence: `--schedule 'plan m.hcl every 30m'` (repeatable),
 * `--schedule-file FILE` (one a line, `#` comments) and `--schedule-at-start`. Every schedule is read
 * before the server binds, so a bad line stops the start naming the flag or FILE:LINE.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConvergeError } from '../errors.js';
import { parseSchedule, parseScheduleFile, type Schedule } from '../frontdoor/schedule.js';
import type { FlagSpec, FlagValue } from './args.js';

export const SERVER_SCHEDULE_FLAGS: readonly FlagSpec[] = [
  { name: 'schedule', type: 'list', valueName: 'schedule', description: 'run "plan|apply MODULE every DURATION" on the server (repeatable), e.g. "plan m.hcl every 30m"' },
  { name: 'schedule-file', type: 'string', valueName: 'file', description: 'schedules, one a line as for --schedule (# comments)' },
  { name: 'schedule-at-start', type: 'bool', description: 'start each schedule\'s first run at start-up instead of one interval later' },
];

/** The server's schedules from the parsed flags: --schedule values first, then the file's lines. */
export function scheduleOptionsFromFlags(
  flags: Readonly<Record<string, FlagValue>>,
  cwd: string,
): { schedules?: Schedule[]; scheduleAtStart?: boolean } {
  const given = flags['schedule'];
  const schedules = (Array.isArray(given) ? given : []).map((text) => parseSchedule(text, '--schedule'));
  const file = typeof flags['schedule-file'] === 'string' ? flags['schedule-file'] : '';
  if (file !== '') {
    let content: string;
    try {
      content = readFileSync(path.resolve(cwd, file), 'utf8');
    } catch (error) {
      throw new ConvergeError('CNV_ERR_SCHEDULE_INVALID', `--schedule-file ${file}: cannot read it: ${(error as Error).message}`, { where: file });
    }
    schedules.push(...parseScheduleFile(content, file));
  }
  if (schedules.length === 0) return {};
  return { schedules, scheduleAtStart: flags['schedule-at-start'] === true };
}
