/**
 * Logs to stderr in the original's two shapes: logfmt-like `timestamp="…" level="INFO" msg="…" k="v"` when
 * stderr is not a terminal (fields sorted, values quoted), and `time |INFO| msg<TAB>k=v` on a terminal.
 * Tokens are never passed as fields, except by `server` for the one notice of a generated token.
 */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const RANK: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3, fatal: 4 };
const LEVEL_COLOR: Readonly<Record<LogLevel, string>> = { debug: '37', info: '36', warn: '33', error: '31', fatal: '31' };

/** Accepts the original's names (logrus ParseLevel, case-insensitive): debug, info, warn(ing), error, fatal, panic. */
export function parseLogLevel(text: string): LogLevel | undefined {
  const lower = text.trim().toLowerCase();
  if (lower === 'warning') return 'warn';
  if (lower === 'panic') return 'fatal';
  return (LOG_LEVELS as readonly string[]).includes(lower) ? (lower as LogLevel) : undefined;
}

export type LogFields = Readonly<Record<string, unknown>>;

export interface LoggerOptions {
  readonly level?: LogLevel;
  /** Terminal layout instead of logfmt. @default false */
  readonly pretty?: boolean;
  readonly color?: boolean;
  /** Where lines go. @default process.stderr.write */
  readonly write?: (line: string) => void;
  /** Called before each line is written (the progress display clears itself). */
  readonly beforeWrite?: () => void;
}

function fieldText(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

function quoted(value: string): string {
  return '"' + value.replaceAll('\\', '\\\\').replaceAll('"', '\\"') + '"';
}

export class Logger {
  readonly #level: number;
  readonly #pretty: boolean;
  readonly #color: boolean;
  readonly #write: (line: string) => void;
  readonly #fields: LogFields;
  beforeWrite: (() => void) | undefined;

  constructor(options: LoggerOptions = {}, fields: LogFields = {}) {
    this.#level = RANK[options.level ?? 'info'];
    this.#pretty = options.pretty ?? false;
    this.#color = options.color ?? false;
    this.#write = options.write ?? ((line) => void process.stderr.write(line));
    this.beforeWrite = options.beforeWrite;
    this.#fields = fields;
  }

  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger {
    const child = new Logger(
      { level: LOG_LEVELS[this.#level], pretty: this.#pretty, color: this.#color, write: this.#write },
      { ...this.#fields, ...fields },
    );
    child.beforeWrite = this.beforeWrite;
    return child;
  }

  enabled(level: LogLevel): boolean {
    return RANK[level] >= this.#level;
  }

  debug(msg: string, fields?: LogFields): void {
    this.log('debug', msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.log('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields);
  }
  fatal(msg: string, fields?: LogFields): void {
    this.log('fatal', msg, fields);
  }

  log(level: LogLevel, msg: string, fields: LogFields = {}): void {
    if (!this.enabled(level)) return;
    const all = { ...this.#fields, ...fields };
    const keys = Object.keys(all)
      .filter((k) => all[k] !== undefined)
      .sort();
    const now = new Date();
    let line: string;
    if (this.#pretty) {
      const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
      const tag = level.toUpperCase();
      const shownTag = this.#color ? `\x1b[${LEVEL_COLOR[level]}m${tag}\x1b[0m` : tag;
      const shownStamp = this.#color ? `\x1b[2m${stamp}\x1b[0m` : stamp;
      const rest = keys.map((k) => `${k}=${fieldText(all[k])}`).join(' ');
      line = `${shownStamp} |${shownTag}| ${msg}${rest === '' ? '' : '\t' + rest}\n`;
    } else {
      const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
      const parts = [`timestamp=${quoted(stamp)}`, `level=${quoted(level.toUpperCase())}`, `msg=${quoted(msg)}`];
      for (const k of keys) parts.push(`${k}=${quoted(fieldText(all[k]))}`);
      line = parts.join(' ') + '\n';
    }
    this.beforeWrite?.();
    this.#write(line);
  }
}
