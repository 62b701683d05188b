/**
 * Present/absent management of a named engine object (docker.network, docker.volume): the plan from
 * what the engine has, the remove-then-create apply, and the `state` and `force` fields. The kinds
 * supply how to inspect, compare, remove and create their object; the decisions and texts live here.
 */
import type { Diff } from '../../protocol.js';
import { dockerFailure } from './client.js';
import { driftDiffs, driftWarning, recreatePlan, type FieldComparison } from './drift.js';
import { decodedState, stateField, type PresenceState } from '../state-field.js';
import { makeStatus, textDiff } from '../status.js';
import { StatusLevel, type DecodedFields, type FieldSpec, type ResourceStatus } from '../types.js';

/** One named object and the engine operations on it. */
export interface PresenceTarget<T> {
  /** The kind of object as messages name it: `network`, `volume`. */
  readonly noun: string;
  readonly name: string;
  readonly state: PresenceState;
  readonly force: boolean;
  /** The object, or undefined when the engine has none of that name. */
  inspect(): Promise<T | undefined>;
  /** The settings that differ from the module. */
  compare(found: T): FieldComparison[];
  remove(): Promise<void>;
  create(): Promise<void>;
  /**
   * Why the object could not be created (or recreated) now; each reason becomes a message of a
   * CantChange plan. Asked only when apply would create it.
   */
  obstacles?(found: T | undefined): Promise<string[]>;
}

/** The diff keyed by the object's name: whether it exists against whether it should. */
function presenceDiffs(target: PresenceTarget<unknown>, exists: boolean): Record<string, Diff> {
  return { [target.name]: textDiff(exists ? 'present' : 'absent', target.state) };
}

/**
 * The plan for an object as found. Without `force` a present object whose settings differ stays, with
 * a warning naming the differences; with `force` it will be recreated.
 */
export async function planPresence<T>(target: PresenceTarget<T>, found: T | undefined): Promise<ResourceStatus> {
  const what = `${target.noun} ${target.name}`;
  const actual: PresenceState = found === undefined ? 'absent' : 'present';
  const diffs = presenceDiffs(target, found !== undefined);
  if (target.state === 'absent') {
    const level = found === undefined ? StatusLevel.NoChange : StatusLevel.WillChange;
    return makeStatus(level, { messages: [`${what} is ${actual}`], diffs });
  }
  const drift = found === undefined ? [] : target.compare(found);
  const recreate = found !== undefined && target.force && drift.length > 0;
  if ((found === undefined || recreate) && target.obstacles !== undefined) {
    const reasons = await target.obstacles(found);
    if (reasons.length > 0) {
      return makeStatus(StatusLevel.CantChange, {
        messages: reasons,
        diffs: recreate ? { ...diffs, ...driftDiffs(drift) } : diffs,
      });
    }
  }
  if (found === undefined) return makeStatus(StatusLevel.WillChange, { messages: [`${what} is absent`], diffs });
  if (recreate) return recreatePlan(what, diffs, drift);
  const messages = [`${what} is present`];
  if (drift.length === 0) return makeStatus(StatusLevel.NoChange, { messages, diffs });
  return makeStatus(StatusLevel.NoChange, { messages, diffs, warning: driftWarning(what, drift) });
}

/**
 * Brings the object to its state from a fresh look at the engine: removes it when it should be absent
 * or (with `force`) differs, then creates it when it should be present and is not (any more).
 */
export async function applyPresence<T>(target: PresenceTarget<T>): Promise<ResourceStatus> {
  const what = `${target.noun} ${target.name}`;
  const messages: string[] = [];
  try {
    const found = await target.inspect();
    if (found !== undefined && (target.state === 'absent' || (target.force && target.compare(found).length > 0))) {
      await target.remove();
      messages.push(`removed ${what}`);
    }
    if (target.state === 'present' && (found === undefined || messages.length > 0)) {
      await target.create();
      messages.push(`created ${what}`);
    }
    const level = messages.length > 0 ? StatusLevel.WillChange : StatusLevel.NoChange;
    return makeStatus(level, { messages, diffs: presenceDiffs(target, found !== undefined) });
  } catch (error) {
    return dockerFailure(error, messages);
  }
}

/** The `state` and `force` fields of a kind managed here. */
export function presenceFields(noun: string): FieldSpec[] {
  return [
    stateField(`Whether the ${noun} should exist. Default: present.`),
    {
      name: 'force',
      type: 'bool',
      default: false,
      doc: `Recreate the ${noun} when it differs from the module; by default only its existence is checked.`,
    },
  ];
}

/** The decoded `state` and `force` fields. */
export function presenceSettings(fields: DecodedFields): { state: PresenceState; force: boolean } {
  return { state: decodedState(fields), force: fields['force'] === true };
}
