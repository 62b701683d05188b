/** Adapts the CLI's logger to the front door's log sink, so the server logs in the CLI's format and level. */
import type { Logger as FrontDoorLogger } from '../frontdoor/logger.js';
import type { Logger, LogLevel } from './log.js';

const LEVELS: Readonly<Record<string, LogLevel>> = { DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

export function frontDoorLogger(log: Logger, fields: Readonly<Record<string, unknown>> = {}): FrontDoorLogger {
  const target = Object.keys(fields).length > 0 ? log.child(fields) : log;
  return { log: (level, msg, extra) => target.log(LEVELS[level] ?? 'info', msg, extra) };
}
