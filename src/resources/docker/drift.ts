/**
 * Shared by the docker kinds that compare a live object with the module (volume, network, container):
 * field-by-field differences, and how `force` decides what becomes of them.
 */
import type { Diff } from '../../protocol.js';
import { makeStatus, textDiff } from '../status.js';
import { StatusLevel, type ResourceStatus } from '../types.js';

/** One compared field: what the engine has and what the module asks for, as display strings. */
export interface FieldComparison {
  readonly field: string;
  readonly actual: string;
  readonly expected: string;
  /** Shown for an empty side, as the original's TextDiff default. */
  readonly fallback?: string;
}

/** The comparisons that differ. */
export function drifted(comparisons: readonly FieldComparison[]): FieldComparison[] {
  return comparisons.filter((c) => c.actual !== c.expected);
}

/** Diffs keyed by field name. */
export function driftDiffs(comparisons: readonly FieldComparison[]): Record<string, Diff> {
  return Object.fromEntries(comparisons.map((c) => [c.field, textDiff(c.actual, c.expected, c.fallback ?? '')]));
}

/**
 * The warning for differences that will not be acted on: like the original, without `force` only the
 * object's existence is managed, but the plan still says what differs.
 */
export function driftWarning(what: string, comparisons: readonly FieldComparison[]): string {
  const fields = comparisons.map((c) => c.field).join(', ');
  return `${what} differs from the module in ${fields}; set force = true to recreate it`;
}

/** The plan for an object that `force` will remove and create again: its diffs and the ones that drifted. */
export function recreatePlan(what: string, diffs: Readonly<Record<string, Diff>>, drift: readonly FieldComparison[]): ResourceStatus {
  return makeStatus(StatusLevel.WillChange, {
    messages: [`${what} will be recreated`],
    diffs: { ...diffs, ...driftDiffs(drift) },
  });
}
