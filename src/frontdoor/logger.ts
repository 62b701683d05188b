/**
 * The front door's log sink. The default writes the original's non-TTY format to stderr
 * (`timestamp="…" level="INFO" msg="…" key="value"`, keys sorted). Secrets are never passed in.
 */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** The WARN line of a run that ended in an error; an in-process server's own client reports it instead. */
export const RUN_FAILED_MESSAGE = 'run failed';

export interface Logger {
  log(level: LogLevel, msg: string, fields?: Readonly<Record<string, unknown>>): void;
}

function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return JSON.stringify(text);
}

/** A logger writing one line per entry to `write` (stderr by default). */
export function createLogger(write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  return {
    log(level, msg, fields = {}) {
      const parts = [`timestamp=${quote(new Date().toISOString())}`, `level=${quote(level)}`, `msg=${quote(msg)}`];
      for (const key of Object.keys(fields).sort()) parts.push(`${key}=${quote(fields[key])}`);
      write(`${parts.join(' ')}\n`);
    },
  };
}

/** Drops everything; for tests and embedded use. */
export const SILENT_LOGGER: Logger = { log() {} };
