/**
 * The saved plan file (`converge plan -out FILE`): one JSON document holding what the server planned
 * (the module text and every include, the params, the server's identity, and per node the observed
 * state and the change) and an HMAC-SHA256 over that plan under the server's plan key. Reading it needs
 * no key (`converge show`); only the server that signed it can check it (frontdoor/plan-signing.ts).
 * A leaf module: the CLI and the front door both read the format here.
 */
import { ConvergeError } from './errors.js';
import type { NodeDetails, PlannedNode } from './protocol.js';

/** Bumped when the plan's fields change meaning; older servers refuse newer files. */
export const PLAN_FILE_VERSION = 1;

/** The signed part of a plan file. */
export interface SavedPlan {
  /** The signing server's identity: a digest of its plan key (not the key). */
  readonly server: string;
  /** When the server finished the plan, ISO 8601. */
  readonly createdAt: string;
  /** The plan's run id on that server. */
  readonly run: string;
  /** The module location as the request gave it, and the directory it resolved against. */
  readonly location: string;
  readonly cwd: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Text of every module file the plan read, by URL, the top-level module included. */
  readonly sources: Readonly<Record<string, string>>;
  /** Per node, its final plan status (what the apply will do, and what it observed). */
  readonly nodes: Readonly<Record<string, NodeDetails>>;
}

export interface PlanFile {
  readonly 'converge-plan': number;
  /** `hmac-sha256:<hex>` over signedText(plan). */
  readonly signature: string;
  readonly plan: SavedPlan;
}

/** The exact text the signature covers: the plan as compact JSON, in the file's own key order. */
export function signedText(plan: SavedPlan): string {
  return JSON.stringify(plan);
}

/** The file's text: pretty-printed for review; whitespace is not signed. */
export function formatPlanFile(file: PlanFile): string {
  return JSON.stringify(file, null, 2) + '\n';
}

/** Whether a parsed JSON body looks like a plan file (HTTP apply takes either a LoadRequest or one). */
export function isPlanFileObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'converge-plan' in value;
}

/** Whether `text` starts like a plan file (`converge apply FILE` tells plan files from modules by this). */
export function looksLikePlanFile(text: string): boolean {
  return /^\s*\{\s*"converge-plan"\s*:/.test(text);
}

function malformed(message: string): ConvergeError {
  return new ConvergeError('CNV_ERR_PLAN_MALFORMED', `not a valid plan file: ${message}`);
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(`${field} must be an object`);
  return value as Record<string, unknown>;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string') throw malformed(`${field} must be a string`);
  return value;
}

function nodeDetails(value: unknown, id: string): NodeDetails {
  const raw = record(value, `nodes[${JSON.stringify(id)}]`);
  const changes = record(raw['changes'], `nodes[${JSON.stringify(id)}].changes`);
  for (const [key, diff] of Object.entries(changes)) {
    const d = record(diff, `changes[${JSON.stringify(key)}]`);
    text(d['original'], 'original');
    text(d['current'], 'current');
    if (typeof d['changes'] !== 'boolean') throw malformed('changes.changes must be a boolean');
  }
  if (!Array.isArray(raw['messages'])) throw malformed('messages must be a list');
  if (typeof raw['hasChanges'] !== 'boolean') throw malformed('hasChanges must be a boolean');
  text(raw['error'], 'error');
  text(raw['warning'], 'warning');
  return raw as unknown as NodeDetails;
}

/** Parses a plan file's text, checking its shape (not its signature). */
export function parsePlanFile(source: string | unknown): PlanFile {
  let value: unknown = source;
  if (typeof source === 'string') {
    try {
      value = JSON.parse(source);
    } catch {
      throw malformed('it is not JSON');
    }
  }
  const raw = record(value, 'the file');
  const version = raw['converge-plan'];
  if (version === undefined) throw malformed('no "converge-plan" field');
  if (version !== PLAN_FILE_VERSION) throw malformed(`format version ${JSON.stringify(version)}, this server reads ${PLAN_FILE_VERSION}`);
  const signature = text(raw['signature'], 'signature');
  const plan = record(raw['plan'], 'plan');
  for (const field of ['server', 'createdAt', 'run', 'location', 'cwd']) text(plan[field], field);
  record(plan['params'], 'params');
  for (const [url, body] of Object.entries(record(plan['sources'], 'sources'))) text(body, `sources[${JSON.stringify(url)}]`);
  for (const [id, details] of Object.entries(record(plan['nodes'], 'nodes'))) nodeDetails(details, id);
  return { 'converge-plan': version, signature, plan: plan as unknown as SavedPlan };
}

/** What the apply pins per node: the plan's observation. */
export function expectedNodes(plan: SavedPlan): Record<string, PlannedNode> {
  const expected: Record<string, PlannedNode> = {};
  for (const [id, details] of Object.entries(plan.nodes)) expected[id] = { hasChanges: details.hasChanges, changes: details.changes };
  return expected;
}
