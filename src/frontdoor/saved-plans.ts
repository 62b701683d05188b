/**
 * Saved plans in the front door. A plan asked with `save_plan` records the module texts it read; when it
 * finishes with no node error, the server signs a plan file from the run's own events and sends it as the
 * stream's last message (a `saved-plan` notice). An apply with `saved_plan` is checked before it is even
 * queued (plan-signing.ts), then runs exactly the recorded module texts and params, with each node's
 * observation pinned so that the engine refuses nodes that drifted (graph/drift.ts).
 */
import type { JobOutcome, JobSpec, NodeDetails } from '../protocol.js';
import { expectedNodes, formatPlanFile } from '../plan-file.js';
import type { PlanSigner } from './plan-signing.js';
import type { Run } from './runs.js';
import type { StatusResponseInit } from './wire/pb-types.js';

/** Module texts a recording plan reported, until its plan file is sealed. */
const sourcesByRun = new WeakMap<Run, Readonly<Record<string, string>>>();
/** The signed plan file of a finished run, as text. */
const planFiles = new WeakMap<Run, string>();

export function recordSources(run: Run, sources: Readonly<Record<string, string>>): void {
  sourcesByRun.set(run, sources);
}

/** The apply job for a verified plan: its own location, cwd, params and module texts. */
export function savedPlanSpec(signer: PlanSigner, planText: string, base: JobSpec): JobSpec {
  const plan = signer.verify(planText);
  return {
    kind: 'apply',
    location: plan.location,
    params: plan.params,
    cwd: plan.cwd,
    parallelism: base.parallelism,
    ...(base.moduleTokens === undefined ? {} : { moduleTokens: base.moduleTokens }),
    sources: plan.sources,
    expected: expectedNodes(plan),
  };
}

/** The final pass-0 details of every node of a run. */
function finalDetails(run: Run): Record<string, NodeDetails> {
  const nodes: Record<string, NodeDetails> = {};
  for (let i = 0; i < run.eventCount; i += 1) {
    const event = run.eventAt(i)?.event;
    if (event === undefined || event.run !== 'FINISHED' || event.pass !== 0 || event.details === undefined) continue;
    nodes[event.id] = event.details;
  }
  return nodes;
}

/**
 * Signs the plan file of a recording plan that succeeded, before the run is marked finished (so the
 * pump, which stops at `done`, always finds it). A plan with a failed node gets no file.
 */
export function sealPlan(signer: PlanSigner | undefined, run: Run, spec: JobSpec, outcome: JobOutcome): void {
  const sources = sourcesByRun.get(run);
  sourcesByRun.delete(run);
  if (signer === undefined || spec.kind !== 'plan' || spec.recordSources !== true || !outcome.ok || sources === undefined) return;
  const nodes = finalDetails(run);
  if (Object.values(nodes).some((d) => d.error !== '')) return;
  const file = signer.sign({ run: run.id, location: spec.location, cwd: spec.cwd, params: spec.params, sources, nodes });
  planFiles.set(run, formatPlanFile(file));
}

/** The last message of a saved plan's stream, when it has one. */
export function savedPlanNotice(run: Run): StatusResponseInit | undefined {
  const text = planFiles.get(run);
  return text === undefined ? undefined : { notice: { kind: 'saved-plan', runId: run.id, text } };
}
