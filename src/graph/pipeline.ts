/**
 * What happens to one node during a walk, step for step as the original's plan and apply pipelines: the
 * dependency check, conditional resolution, late rendering of deferred nodes, then check (plan) or check →
 * apply → re-check (apply), and the health pass of a healthcheck job. Every outcome becomes NodeDetails;
 * nothing here throws.
 */
import { getErrorMessage } from '../errors.js';
import type { HealthDetails, HealthLevel, NodeDetails, NodeEvent, Stage } from '../protocol.js';
import { statusHasChanges } from '../resources/index.js';
import { StatusLevel, type ResourceStatus, type RunContext, type Task } from '../resources/types.js';
import { DRIFT_PREFIX, driftOf } from './drift.js';
import { formatValue } from './template/index.js';
import type { GraphNode } from './nodes.js';
import type { RenderContext } from './render.js';
import { NodeDeadlines } from './node-time.js';

/** A node's prepared task, or the fact that it must be rendered during the walk. */
export interface Prepared {
  readonly task?: Task;
  readonly deferred: boolean;
}

interface NodeResult {
  readonly details: NodeDetails;
  readonly failed: boolean;
  /** The check status, for the health pass. */
  readonly checked?: ResourceStatus;
  readonly task?: Task;
}

const SKIPPED = 'Skipping check; short-circuited in conditional';

/** Runs the per-node pipelines of one job and reports events. */
export class NodePipeline {
  readonly #ctx: RenderContext;
  readonly #prepared: ReadonlyMap<string, Prepared>;
  readonly #emit: (event: NodeEvent) => void;
  readonly #results = new Map<string, NodeResult>();
  readonly #health = new Map<string, HealthLevel>();
  readonly #predicates = new Map<string, boolean>();
  readonly #deadlines: NodeDeadlines;

  /** `nodeTimeoutMs` bounds each check, apply and health call (0: no bound). */
  constructor(
    ctx: RenderContext,
    prepared: ReadonlyMap<string, Prepared>,
    emit: (event: NodeEvent) => void,
    run: RunContext,
    nodeTimeoutMs = 0,
  ) {
    this.#ctx = ctx;
    this.#prepared = prepared;
    this.#emit = emit;
    this.#deadlines = new NodeDeadlines(run, nodeTimeoutMs);
  }

  #timed<T>(fn: (run: RunContext) => Promise<T>): Promise<T> {
    return this.#deadlines.run(fn);
  }

  /** Ends the node deadlines' timers once the walks are over. */
  close(): void {
    this.#deadlines.close();
  }

  /** Plan or apply one node (pass 0). */
  async visit(id: string, apply: boolean): Promise<void> {
    const stage: Stage = apply ? 'APPLY' : 'PLAN';
    this.#emit({ id, stage, run: 'STARTED', pass: 0 });
    const result = await this.#visit(id, apply);
    this.#results.set(id, result);
    this.#emit({ id, stage, run: 'FINISHED', pass: 0, details: result.details });
  }

  /** The health pass of a healthcheck job (pass 1), after a plan pass. */
  async visitHealth(id: string): Promise<void> {
    this.#emit({ id, stage: 'PLAN', run: 'STARTED', pass: 1 });
    const details = await this.#healthOf(id);
    this.#emit({ id, stage: 'PLAN', run: 'FINISHED', pass: 1, details });
  }

  async #visit(id: string, apply: boolean): Promise<NodeResult> {
    const node = this.#ctx.graph.get(id)!;
    const failedDep = this.#failedDependency(node);
    if (failedDep !== undefined) {
      return { failed: true, details: details([], {}, true, `error in dependency "${failedDep}"`) };
    }
    try {
      const skipped = this.#skippedBy(node);
      if (skipped !== undefined) {
        return { failed: false, details: details([SKIPPED, `predicate: ${skipped}`], {}, false, '') };
      }
      const structural = this.#structural(node);
      if (structural !== undefined) return { failed: false, details: details(structural, {}, false, '') };
      const task = await this.#taskOf(node);
      return await this.#runTask(node, task, apply);
    } catch (error) {
      return { failed: true, details: details([], {}, false, getErrorMessage(error)) };
    }
  }

  async #taskOf(node: GraphNode): Promise<Task> {
    const prepared = this.#prepared.get(node.id);
    if (prepared?.task !== undefined && !prepared.deferred) return prepared.task;
    return (await this.#ctx.prepare(node, 'walk')).task;
  }

  async #runTask(node: GraphNode, task: Task, apply: boolean): Promise<NodeResult> {
    let checked: ResourceStatus;
    try {
      checked = await this.#timed((run) => task.check(run));
    } catch (error) {
      return { failed: true, details: details([], {}, false, getErrorMessage(error)), task };
    }
    this.#export(node, task);
    const planned = fromStatus(checked);
    const drift = apply ? this.#driftOf(node.id, planned) : undefined;
    if (drift !== undefined) return { failed: true, details: { ...planned, error: DRIFT_PREFIX + drift }, checked, task };
    if (!apply || planned.error !== '' || !planned.hasChanges) {
      return { failed: planned.error !== '', details: planned, checked, task };
    }
    let shown: ResourceStatus = checked;
    let applyError: string;
    try {
      shown = await this.#timed((run) => task.apply(run));
      applyError = shown.error ?? '';
    } catch (error) {
      applyError = getErrorMessage(error);
    }
    this.#export(node, task);
    let stillChanges: boolean;
    try {
      const rechecked = await this.#timed((run) => task.check(run));
      this.#export(node, task);
      stillChanges = statusHasChanges(rechecked) && rechecked.level !== StatusLevel.Fatal;
    } catch (error) {
      applyError = applyError === '' ? getErrorMessage(error) : applyError;
      stillChanges = true;
    }
    let error = applyError;
    if (stillChanges) error = `${node.id} still has changes after apply${applyError === '' ? '' : `: ${applyError}`}`;
    // In apply results, "has changes" means "was applied", as the original reports it.
    return {
      failed: error !== '',
      details: { ...fromStatus(shown), hasChanges: true, error },
      checked,
      task,
    };
  }

  /** Applying a saved plan: how the node's check now differs from what the plan observed. */
  #driftOf(id: string, now: NodeDetails): string | undefined {
    const expected = this.#ctx.job.expected;
    if (expected === undefined) return undefined;
    const planned = expected[id];
    return planned === undefined ? 'the node is not in the plan' : driftOf(planned, now);
  }

  #export(node: GraphNode, task: Task): void {
    try {
      this.#ctx.exported.set(node.id, task.exported());
    } catch {
      // A task that cannot report exported fields simply cannot be looked up.
    }
  }

  /** The first dependency or child whose result is an error. */
  #failedDependency(node: GraphNode): string | undefined {
    for (const dep of this.#ctx.graph.deps.get(node.id) ?? []) if (this.#results.get(dep)?.failed === true) return dep;
    for (const child of node.children) if (this.#results.get(child)?.failed === true) return child;
    return undefined;
  }

  /** The raw predicate of the branch that skips `node`, or undefined when the node runs. */
  #skippedBy(node: GraphNode): string | undefined {
    if (!node.inConditional || node.kind === 'macro.switch') return undefined;
    let caseNode: GraphNode | undefined = node;
    while (caseNode !== undefined && caseNode.kind !== 'macro.case') caseNode = this.#ctx.graph.get(caseNode.parent);
    if (caseNode === undefined) return undefined;
    return this.#selected(caseNode) ? undefined : caseNode.predicate;
  }

  /** A branch runs when its predicate is true and no earlier branch's is. */
  #selected(caseNode: GraphNode): boolean {
    const switchNode = this.#ctx.graph.get(caseNode.parent)!;
    for (const sibling of switchNode.children) {
      const branch = this.#ctx.graph.get(sibling)!;
      if (this.#predicateTrue(branch)) return sibling === caseNode.id;
      if (sibling === caseNode.id) return false;
    }
    return false;
  }

  /**
   * Predicates render twice, as in the original: once to substitute params and lookups, then wrapped in
   * `{{ }}` so the result is evaluated as an expression. Only t/true (any case) is true.
   */
  #predicateTrue(branch: GraphNode): boolean {
    const known = this.#predicates.get(branch.id);
    if (known !== undefined) return known;
    const raw = branch.predicate ?? 'false';
    const first = this.#ctx.renderString(branch, raw, branch.pos, 'walk');
    const second = this.#ctx.renderString(branch, `{{ ${first} }}`, branch.pos, 'walk').trim().toLowerCase();
    const value = second === 't' || second === 'true';
    this.#predicates.set(branch.id, value);
    return value;
  }

  /** Messages of the engine's own nodes, or undefined for resources. */
  #structural(node: GraphNode): string[] | undefined {
    switch (node.kind) {
      case 'root':
      case 'module': {
        const params = this.#ctx.moduleParams(node.id);
        this.#ctx.exported.set(node.id, { params });
        return [Object.entries(params).map(([k, v]) => `${k}: ${formatValue(v)}`).join('\n')];
      }
      case 'param': {
        const value = this.#ctx.paramValue(node.id);
        this.#ctx.exported.set(node.id, { val: value });
        return [formatValue(value)];
      }
      case 'macro.switch':
      case 'macro.case':
        return [];
      default:
        return undefined;
    }
  }

  async #healthOf(id: string): Promise<NodeDetails> {
    const node = this.#ctx.graph.get(id)!;
    const planned = this.#results.get(id);
    if (planned === undefined) return details([], {}, false, 'node was not planned');
    let level: HealthLevel = 'healthy';
    let messages: string[] = [];
    if (planned.checked !== undefined && planned.task !== undefined) {
      if (planned.task.health !== undefined) {
        try {
          const { task, checked } = planned;
          const health = await this.#timed((run) => task.health!(run, checked));
          level = health.level;
          messages = [...health.messages];
        } catch (error) {
          level = 'error';
          messages = [getErrorMessage(error)];
        }
      } else if (planned.details.hasChanges) {
        level = 'warning';
        messages = [`Check returned ${planned.checked.level}`, 'Check indicates changes are required'];
      }
    }
    if (planned.details.error !== '') level = 'error';
    const failing: string[] = [];
    for (const dep of this.#ctx.graph.deps.get(node.id) ?? []) {
      const depLevel = this.#health.get(dep);
      if (depLevel !== undefined && depLevel !== 'healthy') failing.push(dep);
    }
    const reasons: string[] = [];
    if (level !== 'healthy') reasons.push(planned.details.error !== '' ? planned.details.error : 'required changes detected');
    if (failing.length > 0) {
      messages.push(`${failing.length} failing dependencies`);
      reasons.push('required dependencies are failing');
      if (level === 'healthy') level = 'warning';
    }
    this.#health.set(id, level);
    const health: HealthDetails = { level, failingDependencies: failing };
    return { ...planned.details, messages, error: reasons.join('; '), health };
  }
}

function details(
  messages: readonly string[],
  changes: NodeDetails['changes'],
  hasChanges: boolean,
  error: string,
  warning = '',
): NodeDetails {
  return { messages, changes, hasChanges, error, warning };
}

/** NodeDetails of a resource status; a failed level with no error text gets the original's stock wording. */
export function fromStatus(status: ResourceStatus): NodeDetails {
  let error = status.error ?? '';
  if (error === '' && status.level === StatusLevel.CantChange) error = 'resource cannot change because of an error';
  if (error === '' && status.level === StatusLevel.Fatal) error = 'resource encountered an error';
  return details(status.messages, status.diffs, statusHasChanges(status), error, status.warning ?? '');
}
