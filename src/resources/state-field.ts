/**
 * The `state` field of the kinds that make something exist or not (docker.network, docker.volume,
 * package.apt, package.rpm, user.user, user.group): its declaration and its decoded value, so the
 * accepted values, the default and the decoding cannot disagree between kinds.
 */
import type { DecodedFields, FieldSpec } from './types.js';

export type PresenceState = 'present' | 'absent';

/** The `state` field, `present` by default; `doc` says what each state means for the kind. */
export function stateField(doc: string): FieldSpec {
  return { name: 'state', type: 'string', validValues: ['present', 'absent'], default: 'present', doc };
}

/** The decoded `state` (the decoder has applied the default and refused other values). */
export function decodedState(fields: DecodedFields): PresenceState {
  return fields['state'] === 'absent' ? 'absent' : 'present';
}
