/**
 * The contract between the engine (src/graph) and resource kinds (src/resources). A resource kind is a
 * ResourceDefinition: its fields (which drive decoding, validation, suggestions and docs/resources.md)
 * and a prepare() that turns decoded fields into a Task. The engine never looks inside a Task.
 */
import type { Diff } from '../protocol.js';
import type { SourcePosition } from '../errors.js';

/**
 * The original's six status levels, same numbers. A node has changes when its level is WillChange, MayChange
 * or CantChange, or when any diff has changes; CantChange and Fatal halt dependents.
 */
export const StatusLevel = {
  NoChange: 0,
  WontChange: 1,
  WillChange: 2,
  MayChange: 3,
  CantChange: 4,
  Fatal: 5,
} as const;
export type StatusLevel = (typeof StatusLevel)[keyof typeof StatusLevel];

/** What check() and apply() report. */
export interface ResourceStatus {
  readonly level: StatusLevel;
  readonly messages: readonly string[];
  /** Keyed by what changes (a path, `mode`, a field name). */
  readonly diffs: Readonly<Record<string, Diff>>;
  /** Set when the resource failed; the node's error text. */
  readonly error?: string;
  readonly warning?: string;
}

/** Per-run facilities a task may use. */
export interface RunContext {
  /** Aborted when the job is cancelled; long waits and child processes must honour it. */
  readonly signal: AbortSignal;
  /** Directory that relative paths resolve against. */
  readonly cwd: string;
  /** Live, human-readable progress (pull progress, retries); shown while the node runs. */
  readonly progress?: (message: string) => void;
  /** Bytes kept of each script's stdout and of its stderr (--max-task-output); the middle is cut. */
  readonly taskOutputBytes?: number;
}

export interface HealthResult {
  readonly level: 'healthy' | 'warning' | 'error';
  readonly messages: readonly string[];
}

export interface Task {
  /** Reports what apply() would change. Must not change the machine. */
  check(ctx: RunContext): Promise<ResourceStatus>;
  /** Makes the change. The engine calls check() again afterwards; remaining changes are an error. */
  apply(ctx: RunContext): Promise<ResourceStatus>;
  /** Only resources with a health notion (shell tasks) implement it; others are healthy when unchanged. */
  health?(ctx: RunContext, checked: ResourceStatus): Promise<HealthResult>;
  /**
   * Values other nodes read with `lookup` (listed per kind in docs/resources.md), with lowercase keys; nested
   * objects for dotted names (`status.stdout`). Called after check() and after apply().
   */
  exported(): Readonly<Record<string, unknown>>;
}

/**
 * Field types and how strings convert, as the original's decoder does: `bool` accepts a bool or a string
 * t/true in any case; `int` base 10; `octal` base 8 (file.mode); `duration` an int of seconds or a Go
 * duration string; `time` RFC3339, 2006-01-02T15:04:05 or 2006-01-02.
 */
export type FieldType =
  | 'string'
  | 'bool'
  | 'int'
  | 'octal'
  | 'duration'
  | 'time'
  | 'stringList'
  | 'stringMap'
  | 'objectList'
  | 'any';

export interface FieldSpec {
  /** The HCL name, snake_case as in the original. */
  readonly name: string;
  readonly type: FieldType;
  /** One sentence for docs/resources.md. */
  readonly doc: string;
  readonly required?: boolean;
  readonly nonempty?: boolean;
  readonly validValues?: readonly string[];
  /** Used when the field is absent. */
  readonly default?: unknown;
  /** For `objectList`: the fields of each block. */
  readonly fields?: readonly FieldSpec[];
}

/** A field as written in the module, before rendering: plain HCL data plus where it was written. */
export interface RawField {
  /** string, number, boolean, RawValue[] or Record<string, RawValue>; repeated blocks are arrays. */
  readonly value: unknown;
  readonly pos?: SourcePosition;
}

/**
 * Renders one string as a template in the node's scope. `field` names the field for errors
 * (`content`, `env.HOME`). It may throw; errors propagate unchanged.
 */
export type Renderer = (template: string, field: string) => string;

export interface PrepareContext {
  /** Graph id of the node, `root/task.render`. */
  readonly id: string;
  /** Where the node was declared. */
  readonly pos?: SourcePosition;
  readonly cwd: string;
  /**
   * The node's `group` (whose members never run at once), when it has one. Package kinds use it as the
   * batching key: package nodes of one group that are ready together share one package-manager transaction.
   */
  readonly group?: string;
}

/** Decoded field values keyed by field name; absent optional fields without a default are undefined. */
export type DecodedFields = Readonly<Record<string, unknown>>;

export interface ResourceDefinition {
  /** `file.content`, `task.query`, ... */
  readonly kind: string;
  /** One paragraph for docs/resources.md. */
  readonly doc: string;
  readonly fields: readonly FieldSpec[];
  /** Groups of fields of which at most one may be set: `only one of "a" or "b" can be set`. */
  readonly mutuallyExclusive?: readonly (readonly string[])[];
  /** Lookup names this kind exports, for docs (dotted for nested: `status.stdout`). */
  readonly exports: readonly string[];
  /** Semantic validation beyond field rules (e.g. `sh -n` of a script), then the Task. */
  prepare(fields: DecodedFields, ctx: PrepareContext): Task | Promise<Task>;
}
