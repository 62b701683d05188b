/**
 * Drift of one node since a saved plan: the plan recorded what the node's check observed; the apply of
 * that plan checks again and compares. Any difference in what would change, or in the values observed,
 * means the reviewed change is no longer the change that would be made.
 */
import type { Diff, NodeDetails, PlannedNode } from '../protocol.js';

export { DRIFT_PREFIX } from '../protocol.js';

const MAX_SHOWN_CHARS = 80;

function shown(value: string): string {
  const text = JSON.stringify(value);
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS - 4)}..."` : text;
}

function diffDrift(key: string, planned: Diff | undefined, now: Diff | undefined): string | undefined {
  if (planned === undefined && now === undefined) return undefined;
  if (planned === undefined) return `${key}: not in the plan, now ${shown(now!.original)} => ${shown(now!.current)}`;
  if (now === undefined) return `${key}: planned ${shown(planned.original)} => ${shown(planned.current)}, now no change`;
  if (planned.original !== now.original) return `${key}: was ${shown(planned.original)} at plan time, now ${shown(now.original)}`;
  if (planned.current !== now.current) return `${key}: planned to become ${shown(planned.current)}, now ${shown(now.current)}`;
  if (planned.changes !== now.changes) return `${key}: ${planned.changes ? 'planned a change, now none' : 'planned no change, now one'}`;
  return undefined;
}

/** What differs between the plan's observation and the check now, or undefined when nothing does. */
export function driftOf(planned: PlannedNode, now: NodeDetails): string | undefined {
  const keys = [...new Set([...Object.keys(planned.changes), ...Object.keys(now.changes)])].sort();
  const parts: string[] = [];
  for (const key of keys) {
    const part = diffDrift(key, planned.changes[key], now.changes[key]);
    if (part !== undefined) parts.push(part);
  }
  if (parts.length === 0 && planned.hasChanges !== now.hasChanges) {
    parts.push(planned.hasChanges ? 'the plan had changes, the check now finds none' : 'the plan had no changes, the check now finds some');
  }
  return parts.length === 0 ? undefined : parts.join('; ');
}
