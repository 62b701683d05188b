/**
 * Plain-data types that cross the worker-thread boundary (and, nearly unchanged, the wire). Everything
 * here must survive structured clone: no classes, no functions, no Maps.
 */
import type { WireError } from './errors.js';

/** What a job does. `graph` only loads and builds; it never runs a resource. */
export type JobKind = 'plan' | 'apply' | 'healthcheck' | 'graph';

/** The proto's Stage enum: PLAN for plan and healthcheck, APPLY for apply. */
export type Stage = 'PLAN' | 'APPLY';

/** The proto's Run enum. */
export type RunPhase = 'STARTED' | 'FINISHED';

export interface JobSpec {
  readonly kind: JobKind;
  /** Module location: a path (relative to `cwd`) or an http(s)/file URL. */
  readonly location: string;
  /**
   * Module text sent by the client (our extension; the original always fetched `location`). When set,
   * `location` only names it (for errors) and is the base for relative module sources.
   */
  readonly content?: string;
  /** Top-level params. Values from `-p` are strings; `--paramsJSON` keeps lists and maps. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Directory that relative locations resolve against (the server's cwd, as in the original). */
  readonly cwd: string;
  /** Nodes checked or applied at once. */
  readonly parallelism: number;
  /**
   * Tokens for fetching modules from Converge servers that require one, keyed by URL origin
   * (`http://127.0.0.1:4774`). The engine mints a JWT from the token for each fetch.
   */
  readonly moduleTokens?: Readonly<Record<string, string>>;
  /**
   * Local modules the client uploaded with `content` (`--upload`), by path relative to the directory of
   * `location`. An include is read from here before the file system; keys are checked (graph/uploads.ts).
   */
  readonly files?: Readonly<Record<string, string>>;
  /** Module texts by URL, read instead of fetching: the includes recorded in a saved plan. */
  readonly sources?: Readonly<Record<string, string>>;
  /** Post the module texts read, by URL, as a `sources` message (a plan saved with `-out`). */
  readonly recordSources?: boolean;
  /**
   * Apply of a saved plan: what the plan observed of each node. A node whose check now differs is not
   * applied and fails as drifted (graph/drift.ts); nodes absent here are not checked against it.
   */
  readonly expected?: Readonly<Record<string, PlannedNode>>;
  /**
   * What the run may use (src/graph/limits.ts); a missing entry takes its default. Set by the server
   * from its flags.
   */
  readonly limits?: Readonly<Partial<RunLimitValues>>;
}

/** The per-run limits as plain numbers (src/graph/limits.ts documents each one). */
export interface RunLimitValues {
  readonly templateSteps: number;
  readonly templateOutputBytes: number;
  readonly nesting: number;
  readonly moduleDepth: number;
  readonly modules: number;
  readonly moduleBytes: number;
  readonly nodes: number;
  readonly nodeTimeoutMs: number;
  readonly runTimeoutMs: number;
  readonly taskOutputBytes: number;
}

/**
 * How a node's warning starts when its task left processes running that had to be killed
 * (`killed 2 processes left running by the task (check)`); the front door logs such warnings.
 */
export const LEFTOVER_WARNING_PREFIX = 'killed ';

/** True when a node's warning (parts joined with `; `) reports processes killed after its task. */
export function reportsLeftovers(warning: string): boolean {
  return warning !== '' && warning.split('; ').some((part) => part.startsWith(LEFTOVER_WARNING_PREFIX));
}

/** The error text of a node that an apply of a saved plan refused because it drifted (graph/drift.ts). */
export const DRIFT_PREFIX = 'drifted since plan: ';

/** What a plan observed of one node: the part of its check that a saved plan pins. */
export interface PlannedNode {
  readonly hasChanges: boolean;
  readonly changes: Readonly<Record<string, Diff>>;
}

export interface Diff {
  readonly original: string;
  readonly current: string;
  readonly changes: boolean;
}

/** Health of a node after the healthcheck pass, the three levels of the original's HealthStatus. */
export type HealthLevel = 'healthy' | 'warning' | 'error';

export interface HealthDetails {
  readonly level: HealthLevel;
  /** IDs of dependencies whose health is not `healthy`. */
  readonly failingDependencies: readonly string[];
}

/** The proto's StatusResponse.Details, plus our optional health block. */
export interface NodeDetails {
  readonly messages: readonly string[];
  readonly changes: Readonly<Record<string, Diff>>;
  readonly hasChanges: boolean;
  /** Empty when there is no error. */
  readonly error: string;
  readonly warning: string;
  /** Only on the health pass of a healthcheck job. */
  readonly health?: HealthDetails;
}

export interface NodeEvent {
  /** Graph id, `root/...`. */
  readonly id: string;
  readonly stage: Stage;
  readonly run: RunPhase;
  /** 0 for plan/apply; healthcheck jobs send pass 0 (plan) then pass 1 (health). */
  readonly pass: number;
  /** Only on FINISHED. */
  readonly details?: NodeDetails;
}

/**
 * An edge as the original sends it in the `edges` header: `source` depends on (or, with the `parent`
 * attribute, contains) `dest`.
 */
export interface GraphEdge {
  readonly source: string;
  readonly dest: string;
  readonly attributes: readonly string[] | null;
}

export interface GraphVertex {
  readonly id: string;
  /** Resource kind (`file.content`), or `module`, `root`, `param`, `macro.switch`, `macro.case`. */
  readonly kind: string;
  /** JSON text describing the node (its decoded fields), sent as bytes by Grapher.Graph. */
  readonly details: string;
}

/** Messages a worker posts on the job's MessagePort, in this order: edges, events*, then the result. */
/**
 * How far a job's loading has come, before its walk starts: module files read, nodes declared in them,
 * and nodes rendered out of `nodes` (rendering starts once every file is read). Sent only for loads
 * that take a while (src/graph/loading-progress.ts).
 */
export interface LoadingProgress {
  readonly files: number;
  readonly nodes: number;
  readonly rendered: number;
}

export type WorkerMessage =
  | { readonly type: 'loading'; readonly progress: LoadingProgress }
  | { readonly type: 'edges'; readonly edges: readonly GraphEdge[] }
  | { readonly type: 'events'; readonly events: readonly NodeEvent[] }
  | { readonly type: 'graph'; readonly vertices: readonly GraphVertex[]; readonly edges: readonly GraphEdge[] }
  | { readonly type: 'sources'; readonly sources: Readonly<Record<string, string>> };

/**
 * The worker's own port carries WorkerMessages and, last, `end`. piscina returns the job's result on a
 * different channel, and two channels are not ordered, so the pool waits for `end` before it resolves:
 * that way no event can arrive after the caller has seen the outcome.
 */
export type WorkerPortMessage = WorkerMessage | { readonly type: 'end' };

/** Messages the pool sends to a running job. */
export type PoolToWorkerMessage = { readonly type: 'cancel' };

/** What a job returns through piscina. A load error fails the job before any node runs. */
export type JobOutcome =
  | { readonly ok: true; readonly nodes: number }
  | { readonly ok: false; readonly error: WireError };
