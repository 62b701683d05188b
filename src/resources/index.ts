/**
 * The public surface of the resources area: the registry, field decoding and the contract types.
 */
export { getResource, resourceKinds, unknownKindMessage } from './registry.js';
export { decodeFields, SPECIAL_FIELDS, type DecodeLocation } from './fields.js';
export { statusHasChanges, textDiff } from './status.js';
export { defaultHealth, describeHealth, healthMessages } from './health.js';
export { StatusLevel } from './types.js';
export type {
  DecodedFields,
  FieldSpec,
  FieldType,
  HealthResult,
  PrepareContext,
  RawField,
  Renderer,
  ResourceDefinition,
  ResourceStatus,
  RunContext,
  Task,
} from './types.js';
