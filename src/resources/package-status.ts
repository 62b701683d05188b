/**
 * Small builders for the ResourceStatus values the system resources report (packages, users, groups,
 * fetch, unarchive), so that each resource states its levels, messages and diffs without repeating
 * the bookkeeping (a diff's `changes` flag, raising the level for changed diffs).
 */
import type { Diff } from '../protocol.js';
import { StatusLevel, type ResourceStatus } from './types.js';

/** A text diff; `changes` is true when the two sides differ. */
export function textDiff(original: string, current: string): Diff {
  return { original, current, changes: original !== current };
}

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
