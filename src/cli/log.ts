/**
 * Logs to stderr in the original's two shapes: logfmt-like `timestamp="…" level="INFO" msg="…" k="v"` when
 * stderr is not a terminal (fields sorted, values quoted), and `time |INFO| msg<TAB>k=v` on a terminal;
 * plus one JSON object per line (`--log-format json`) for log shippers, with the same keys.
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

export const LOG_FORMATS = ['logfmt', 'terminal', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** `--log-format`: a name, or '' / `auto` for terminal on a TTY and logfmt otherwise (the original's choice). */
export function parseLogFormat(text: string, isTty: boolean): LogFormat | undefined {
  const lower = text.trim().toLowerCase();
  if (lower === '' || lower === 'auto') return isTty ? 'terminal' : 'logfmt';
  if (lower === 'text') return 'logfmt';
  return (LOG_FORMATS as readonly string[]).includes(lower) ? (lower as LogFormat) : undefined;
}

export interface LoggerOptions {
  readonly level?: LogLevel;
  /** Line layout. @default 'logfmt' ('terminal' when `pretty`) */
  readonly format?: LogFormat;
  /** Terminal layout instead of logfmt (the older spelling of `format: 'terminal'`). @default false */
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

/** A field's value in a JSON line: numbers, booleans, lists and maps keep their type; errors are their message. */
function jsonValue(value: unknown): unknown {
  if (value instanceof Error) return value.message;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

const JSON_CORE_KEYS = new Set(['timestamp', 'level', 'msg']);

function jsonLine(now: Date, level: LogLevel, msg: string, all: LogFields, keys: readonly string[]): string {
  const entry: Record<string, unknown> = { timestamp: now.toISOString(), level: level.toUpperCase(), msg };
  // A field may not overwrite the three keys every line has; it keeps its value under another name.
  for (const k of keys) entry[JSON_CORE_KEYS.has(k) ? `field.${k}` : k] = jsonValue(all[k]);
  let text: string;
  try {
    text = JSON.stringify(entry);
  } catch {
    // A circular value: fall back to the text form of each field rather than losing the line.
    text = JSON.stringify(Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, typeof v === 'object' ? fieldText(v) : v])));
  }
  return text + '\n';
}

function quoted(value: string): string {
  return '"' + value.replaceAll('\\', '\\\\').replaceAll('"', '\\"') + '"';
}

export class Logger {
  readonly #level: number;
  readonly #format: LogFormat;
  readonly #color: boolean;
  readonly #write: (line: string) => void;
  readonly #fields: LogFields;
  beforeWrite: (() => void) | undefined;

  constructor(options: LoggerOptions = {}, fields: LogFields = {}) {
    this.#level = RANK[options.level ?? 'info'];
    this.#format = options.format ?? (options.pretty === true ? 'terminal' : 'logfmt');
    this.#color = options.color ?? false;
    this.#write = options.write ?? ((line) => void process.stderr.write(line));
    this.beforeWrite = options.beforeWrite;
    this.#fields = fields;
  }

  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger {
    const child = new Logger(
      { level: LOG_LEVELS[this.#level], format: this.#format, color: this.#color, write: this.#write },
      { ...this.#fields, ...fields },
    );
    child.beforeWrite = this.beforeWrite;
    return child;
  }

  /** The line layout in use; the terminal one is for a person, the others for programs. */
  get format(): LogFormat {
    return this.#format;
  }

  /** Whether colour codes may be written (terminal layout on a colour terminal). */
  get color(): boolean {
    return this.#color;
  }

  /**
   * Writes text that is not a log line (an error block for a person) where the lines go, after the
   * same `beforeWrite` hook, so a progress line is cleared first. Shown at every level: it is the
   * command's own verdict, like a fatal line.
   */
  writeBlock(text: string): void {
    this.beforeWrite?.();
    this.#write(text);
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
    if (this.#format === 'json') {
      line = jsonLine(now, level, msg, all, keys);
    } else if (this.#format === 'terminal') {
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
