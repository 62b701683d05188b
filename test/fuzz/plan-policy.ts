/**
 * Which mutated modules the fuzzer may plan. A plan runs every node's check, and the checks of shell
 * kinds are commands: a mutated module could render any text into one (a param default spliced into
 * `check`, an `interpreter` turned into another program), and this suite runs on developers' machines.
 * So a module is planned only when no mutated text can reach a process or the network:
 *
 * - every node is structural or a file kind, whose checks only read files under the scratch directory;
 * - or, besides those, its shell nodes (task, task.query, healthcheck.task) are byte for byte the
 *   seed's own, fully rendered at load time. A node whose fields still hold `{{` renders at plan time
 *   from lookups, which mutated nodes may feed, so it is not planned.
 *
 * Kinds that reach the network, Docker, the package manager or the account database, and the wait.*
 * kinds (which retry by design), are never planned. Everything is validated, so parse, load and render
 * errors are covered for every kind.
 */

export interface VertexSummary {
  readonly id: string;
  readonly kind: string;
  /** The node's fields as JSON, rendered when they could be at load time. */
  readonly details: string;
}

const STRUCTURAL = new Set(['root', 'module', 'param', 'macro.switch', 'macro.case']);
const FILE_KINDS = new Set(['file.content', 'file.directory', 'file.mode', 'file.owner', 'unarchive']);
const SHELL_KINDS = new Set(['task', 'task.query', 'healthcheck.task']);

export type PlanDecision = { readonly plan: true } | { readonly plan: false; readonly reason: string };

export function planDecision(mutated: readonly VertexSummary[] | undefined, seed: readonly VertexSummary[] | undefined): PlanDecision {
  if (mutated === undefined) return { plan: false, reason: 'graph failed after validate' };
  const original = new Map((seed ?? []).map((v) => [v.id, v]));
  for (const vertex of mutated) {
    if (STRUCTURAL.has(vertex.kind) || FILE_KINDS.has(vertex.kind)) continue;
    if (!SHELL_KINDS.has(vertex.kind)) return { plan: false, reason: `kind ${vertex.kind} is never planned` };
    const before = original.get(vertex.id);
    if (before === undefined || before.kind !== vertex.kind || before.details !== vertex.details) {
      return { plan: false, reason: 'a shell node differs from the seed' };
    }
    if (vertex.details.includes('{{')) return { plan: false, reason: 'a shell node renders at plan time' };
  }
  return { plan: true };
}
