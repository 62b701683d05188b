/**
 * The state machine shared by the shell resources (task, healthcheck.task, task.query, wait.query):
 * which runs happened, what they printed, and what that means for the node's status.
 *
 * The original kept only the FIRST check of a task: a check run after apply is executed but not
 * recorded, so after an apply the node's changes follow the apply's exit status. The conformance
 * outputs depend on this (a task whose check keeps failing but whose apply succeeds converges), so
 * it is kept on purpose.
 */
import { ConvergeError, getErrorMessage } from '../../errors.js';
import { LEFTOVER_WARNING_PREFIX } from '../../protocol.js';
import { healthMessages } from '../health.js';
import { runScript, type CommandResult, type Leftovers, type ShellCommand } from './shell.js';
import { failedStatus, makeStatus } from '../status.js';
import { StatusLevel, type HealthResult, type ResourceStatus, type RunContext } from '../types.js';

/** One recorded run: `check`, `apply`, or `check 3` for a wait attempt. */
export interface OpResult {
  readonly op: string;
  readonly result: CommandResult;
}

/** `<op> (returned: <exit>)\n\t<stdout>\n\t<stderr>`, the original's per-run summary. */
export function summarize(entry: OpResult): string {
  return `${entry.op} (returned: ${entry.result.exitStatus})\n\t${entry.result.stdout}\n\t${entry.result.stderr}`;
}

/**
 * The warning for processes a script left behind: `killed 2 processes left running by the task`.
 * The front door logs node warnings that start with LEFTOVER_WARNING_PREFIX (protocol.ts).
 */
export function leftoverWarning(op: string, leftovers: Leftovers): string {
  const parts: string[] = [];
  if (leftovers.killed !== 0) {
    const n = leftovers.killed;
    const count = n === undefined ? 'processes' : `${n} ${n === 1 ? 'process' : 'processes'}`;
    parts.push(
      leftovers.reason === 'timeout'
        ? `${LEFTOVER_WARNING_PREFIX}${count} of the task at its timeout (${op})`
        : `${LEFTOVER_WARNING_PREFIX}${count} left running by the task (${op})`,
    );
  }
  if (leftovers.outputHeld) {
    parts.push(`a process outside the task's process group (one that called setsid) kept its output open (${op}); that output was not read`);
  }
  return parts.join('; ');
}

/** The lookup shape of one run: `status.stdout` and friends. */
export function resultFields(result: CommandResult | undefined): Record<string, unknown> {
  if (result === undefined) return { exitstatus: 0, stdout: '', stderr: '', stdin: '' };
  return { exitstatus: result.exitStatus, stdout: result.stdout, stderr: result.stderr, stdin: result.stdin };
}

export interface ShellScripts {
  readonly check: string;
  readonly apply: string;
  /** The `dir` field as written, for messages. */
  readonly dir: string;
  readonly env: Readonly<Record<string, string>>;
}

export class ShellTask {
  protected readonly command: ShellCommand;
  protected readonly scripts: ShellScripts;
  /** Oldest first. */
  protected history: OpResult[] = [];
  #checkStatus: CommandResult | undefined;
  #health: HealthResult | undefined;
  /** Warnings of every run of this node so far, in order, each once. */
  #warnings: string[] = [];

  constructor(command: ShellCommand, scripts: ShellScripts) {
    this.command = command;
    this.scripts = scripts;
  }

  async check(ctx: RunContext): Promise<ResourceStatus> {
    const outcome = await this.run(this.scripts.check, ctx, 'check');
    if (typeof outcome === 'string') return this.failed(outcome);
    if (this.history.length === 0) this.history.push({ op: 'check', result: outcome });
    this.#checkStatus ??= outcome;
    return this.status();
  }

  async apply(ctx: RunContext): Promise<ResourceStatus> {
    const outcome = await this.run(this.scripts.apply, ctx, 'apply');
    if (typeof outcome === 'string') return this.failed(outcome);
    this.history.push({ op: 'apply', result: outcome });
    return this.status();
  }

  /** Health from the last run: exit 0 healthy, 1 warning, anything else error. */
  async health(ctx: RunContext, _checked: ResourceStatus): Promise<HealthResult> {
    if (this.history.length === 0) await this.check(ctx);
    const exit = this.latest()?.exitStatus ?? 0;
    const messages = healthMessages(this.status());
    this.#health = { level: exit === 0 ? 'healthy' : exit === 1 ? 'warning' : 'error', messages };
    return this.#health;
  }

  exported(): Readonly<Record<string, unknown>> {
    return {
      check: this.scripts.check,
      apply: this.scripts.apply,
      dir: this.scripts.dir,
      env: envList(this.scripts.env),
      status: resultFields(this.latest()),
      checkstatus: resultFields(this.#checkStatus),
      healthstatus: this.#health === undefined ? '' : this.#health.level,
    };
  }

  /** The status the recorded runs add up to. */
  protected status(): ResourceStatus {
    const exit = this.latest()?.exitStatus ?? 0;
    return makeStatus(exit === 0 ? StatusLevel.NoChange : StatusLevel.WillChange, { messages: this.messages(), ...this.warning() });
  }

  /** A failed run's status: its error text, the messages so far and any warning. */
  protected failed(error: string): ResourceStatus {
    return { ...failedStatus(error, { messages: this.messages() }), ...this.warning() };
  }

  /** `{warning}` when a run of this node left processes behind, else nothing. */
  protected warning(): { warning?: string } {
    return this.#warnings.length === 0 ? {} : { warning: this.#warnings.join('; ') };
  }

  /** `dir (...)`, `env (...)`, then one summary per operation, oldest first. */
  protected messages(): string[] {
    const out: string[] = [];
    if (this.scripts.dir !== '') out.push(`dir (${this.scripts.dir})`);
    const env = envList(this.scripts.env);
    if (env.length > 0) out.push(`env (${env.join(' ')})`);
    const seen = new Set<string>();
    for (const entry of this.history) {
      if (seen.has(entry.op)) continue;
      seen.add(entry.op);
      out.push(summarize(entry));
    }
    return out;
  }

  protected latest(): CommandResult | undefined {
    return this.history[this.history.length - 1]?.result;
  }

  /**
   * Runs a script; resolves with the result, or the error text of a failed run. Cancellation rejects.
   * `op` names the run in a leftover warning.
   */
  protected async run(script: string, ctx: RunContext, op: string): Promise<CommandResult | string> {
    const command = { ...this.command, cwd: ctx.cwd, outputBytes: ctx.taskOutputBytes };
    try {
      const result = await runScript(command, script, ctx.signal);
      if (result.leftovers !== undefined) this.#warn(leftoverWarning(op, result.leftovers));
      return result;
    } catch (error) {
      if (error instanceof ConvergeError && error.code === 'CNV_ERR_JOB_CANCELLED') throw error;
      const leftovers = error instanceof ConvergeError ? (error.details?.['leftovers'] as Leftovers | undefined) : undefined;
      if (leftovers !== undefined) this.#warn(leftoverWarning(op, leftovers));
      return getErrorMessage(error);
    }
  }

  #warn(text: string): void {
    if (text !== '' && !this.#warnings.includes(text)) this.#warnings.push(text);
  }
}

function envList(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env).map(([key, value]) => `${key}=${value}`);
}
