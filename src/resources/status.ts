/**
 * The one status vocabulary of the resources: helpers for building ResourceStatus values the way the
 * original's `resource.Status` did, and a builder for the resources that collect
 * messages and diffs step by step (packages, users, groups, fetch, unarchive) without repeating the
 * bookkeeping (a diff's `changes` flag, raising the level for changed diffs).
 */
import { getErrorMessage } from '../errors.js';
import type { Diff } from '../protocol.js';
import { StatusLevel, type ResourceStatus } from './types.js';

/**
 * A text diff: `changes` compares the two values; an empty side displays as `fallback`
 * (the original's TextDiff Default).
 */
export function textDiff(original: string, current: string, fallback = ''): Diff {
  return {
    original: original === '' ? fallback : original,
    current: current === '' ? fallback : current,
    changes: original !== current,
  };
}

/** True when the status asks for changes: WillChange, MayChange, CantChange, or any changing diff. */
export function statusHasChanges(status: ResourceStatus): boolean {
  if (status.level === StatusLevel.Fatal) return false;
  if (
    status.level === StatusLevel.WillChange ||
    status.level === StatusLevel.MayChange ||
    status.level === StatusLevel.CantChange
  ) {
    return true;
  }
  return Object.values(status.diffs).some((diff) => diff.changes);
}

/** Builds a status; omitted parts are empty. */
export function makeStatus(
  level: StatusLevel,
  parts: { messages?: readonly string[]; diffs?: Readonly<Record<string, Diff>>; error?: string; warning?: string } = {},
): ResourceStatus {
  const status: { -readonly [K in keyof ResourceStatus]: ResourceStatus[K] } = {
    level,
    messages: parts.messages ?? [],
    diffs: parts.diffs ?? {},
  };
  if (parts.error !== undefined) status.error = parts.error;
  if (parts.warning !== undefined) status.warning = parts.warning;
  return status;
}

/** A failed status: level CantChange or Fatal with the error text, as the original's SetError did. */
export function failedStatus(
  error: string,
  parts: { level?: StatusLevel; messages?: readonly string[]; diffs?: Readonly<Record<string, Diff>> } = {},
): ResourceStatus {
  return makeStatus(parts.level ?? StatusLevel.Fatal, { ...parts, error });
}


/**
 * A file-system error worded like Go's `*PathError` (`open x.txt: no such file or directory`), naming
 * the path as the module wrote it rather than the absolute path Node reports.
 */
export function fsErrorText(error: unknown, op: string, shownPath: string): string {
  const err = error as NodeJS.ErrnoException;
  if (typeof err?.code === 'string' && typeof err.message === 'string') {
    // Node: "ENOENT: no such file or directory, open '/abs/x'"; spawn errors only name the code.
    const description = /^[A-Z0-9]+: ([^,]+)/.exec(err.message)?.[1] ?? ERRNO_TEXT[err.code] ?? err.message;
    return `${op} ${shownPath}: ${description}`;
  }
  return getErrorMessage(error);
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EPERM: 'operation not permitted',
};

/** Collects messages and diffs, then freezes them into a ResourceStatus. */
export class StatusBuilder {
  #level: StatusLevel = StatusLevel.NoChange;
  readonly #messages: string[] = [];
  readonly #diffs: Record<string, Diff> = {};
  #error: string | undefined;

  raise(level: StatusLevel): this {
    if (level > this.#level) this.#level = level;
    return this;
  }

  message(text: string): this {
    this.#messages.push(text);
    return this;
  }

  diff(key: string, original: string, current: string): this {
    this.#diffs[key] = textDiff(original, current);
    return this;
  }

  get hasDiffChanges(): boolean {
    return Object.values(this.#diffs).some((d) => d.changes);
  }

  /** Ends as a failure: CantChange (the plan shows it cannot be done) or Fatal (it was tried and failed). */
  fail(level: typeof StatusLevel.CantChange | typeof StatusLevel.Fatal, error: string): ResourceStatus {
    this.raise(level);
    this.#error = error;
    return this.build();
  }

  build(): ResourceStatus {
    if (this.hasDiffChanges) this.raise(StatusLevel.WillChange);
    return {
      level: this.#level,
      messages: [...this.#messages],
      diffs: { ...this.#diffs },
      ...(this.#error === undefined ? {} : { error: this.#error }),
    };
  }
}
