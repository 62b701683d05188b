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
import { healthMessages } from '../health.js';
import { runScript, type CommandResult, type ShellCommand } from './shell.js';
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

  constructor(command: ShellCommand, scripts: ShellScripts) {
    this.command = command;
    this.scripts = scripts;
  }

  async check(ctx: RunContext): Promise<ResourceStatus> {
    const outcome = await this.run(this.scripts.check, ctx);
    if (typeof outcome === 'string') return failedStatus(outcome, { messages: this.messages() });
    if (this.history.length === 0) this.history.push({ op: 'check', result: outcome });
    this.#checkStatus ??= outcome;
    return this.status();
  }

  async apply(ctx: RunContext): Promise<ResourceStatus> {
    const outcome = await this.run(this.scripts.apply, ctx);
    if (typeof outcome === 'string') return failedStatus(outcome, { messages: this.messages() });
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
    return makeStatus(exit === 0 ? StatusLevel.NoChange : StatusLevel.WillChange, { messages: this.messages() });
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

  /** Runs a script; resolves with the result, or the error text of a failed run. Cancellation rejects. */
  protected async run(script: string, ctx: RunContext): Promise<CommandResult | string> {
    try {
      return await runScript({ ...this.command, cwd: ctx.cwd }, script, ctx.signal);
    } catch (error) {
      if (error instanceof ConvergeError && error.code === 'CNV_ERR_JOB_CANCELLED') throw error;
      return getErrorMessage(error);
    }
  }
}

function envList(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env).map(([key, value]) => `${key}=${value}`);
}
