/**
 * How a command reports the failure that ends it: one block for a person on the terminal log layout
 * (render/error-block.ts), or one FATAL line, with the hints as a field, in the logfmt and JSON
 * layouts that programs read. Either way it is one report per error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConvergeError, getErrorMessage } from '../errors.js';
import { hintsFor, type HintContext } from './error-hints.js';
import type { Logger } from './log.js';
import { renderErrorBlock, splitPosition } from './render/error-block.js';
import { COLOR_STYLE, PLAIN_STYLE } from './render/style.js';

export interface FailureReport extends HintContext {
  /** The log line's message (`could not get responses`); the block leads with the error instead. */
  readonly what: string;
  /**
   * Whether the error's file names a file on this machine: true when the job ran here (--local,
   * validate). A remote server's paths are its own, and a file of the same name here may differ.
   */
  readonly sourceIsLocal?: boolean;
}

/**
 * A details key set on an error whose parts were reported already, one block each; the command's
 * final report then stays silent, so nothing is said twice.
 */
export const REPORTED = 'reported';

/** The text of line `line` (from 1) of `file`, or undefined when it cannot be read. */
function sourceLine(file: string, line: number, cwd: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file)) return undefined;
  try {
    return fs.readFileSync(path.resolve(cwd, file), 'utf8').split('\n')[line - 1];
  } catch {
    return undefined;
  }
}

export function reportFailure(log: Logger, failure: unknown, report: FailureReport): void {
  const error = failure instanceof ConvergeError ? failure : new ConvergeError('CNV_ERR_INTERNAL', getErrorMessage(failure));
  if (error.details?.[REPORTED] === true) return;
  const hints = hintsFor(error, report);
  if (log.format !== 'terminal') {
    log.fatal(report.what, { error: error.message, code: error.code, ...(hints.length > 0 ? { hint: hints.join('; ') } : {}) });
    return;
  }
  const { text, position } = splitPosition(error.message, error.details);
  const source = position !== undefined && report.sourceIsLocal === true ? sourceLine(position.file, position.line, report.cwd) : undefined;
  log.writeBlock(
    renderErrorBlock(
      {
        text,
        code: error.code,
        hints,
        ...(position !== undefined ? { position } : {}),
        ...(source !== undefined ? { sourceLine: source } : {}),
      },
      log.color ? COLOR_STYLE : PLAIN_STYLE,
    ),
  );
}
