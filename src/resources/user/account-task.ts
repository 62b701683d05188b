/**
 * The Task behind user.user and user.group. Both plan one command (useradd/usermod/userdel or
 * groupadd/groupmod/groupdel) from the same look at the account databases in check and in apply, so
 * apply runs exactly what the plan showed; this runs it and words the outcome the way the original did.
 */
import { commandFailure, runCommand } from '../command.js';
import { StatusBuilder } from '../status.js';
import type { PresenceState } from '../state-field.js';
import { StatusLevel, type ResourceStatus, type RunContext, type Task } from '../types.js';

/** What a planner found: the status to show, and the command to run or why none can run. */
export interface AccountPlan {
  readonly status: StatusBuilder;
  /** Set when something must run; absent when the account is as wanted or the plan failed. */
  readonly command?: { readonly program: string; readonly args: readonly string[] };
  /** Set when the plan cannot be carried out. */
  readonly error?: string;
  /** The account the plan was made against; absent when it is to be added. */
  readonly current?: unknown;
}

/** One managed account: its kind, name and wanted state, how to plan it, and what it exports. */
export interface AccountSubject {
  readonly noun: 'user' | 'group';
  readonly name: string;
  readonly state: PresenceState;
  plan(signal: AbortSignal): Promise<AccountPlan>;
  exported(): Readonly<Record<string, unknown>>;
}

/** A plan that cannot be carried out: CantChange, with the reason. */
export function refusedPlan(status: StatusBuilder, error: string): { status: StatusBuilder; error: string } {
  return { status: status.raise(StatusLevel.CantChange), error };
}

type Action = 'add' | 'modify' | 'delete';

/** Past and progressive forms for the outcome messages ("added user x", "error adding user x"). */
const ACTION_WORDS: Readonly<Record<Action, readonly [string, string]>> = {
  add: ['added', 'adding'],
  modify: ['modified', 'modifying'],
  delete: ['deleted', 'deleting'],
};

export class AccountTask implements Task {
  readonly #subject: AccountSubject;

  constructor(subject: AccountSubject) {
    this.#subject = subject;
  }

  async check(ctx: RunContext): Promise<ResourceStatus> {
    const plan = await this.#subject.plan(ctx.signal);
    return plan.error === undefined ? plan.status.build() : plan.status.fail(StatusLevel.CantChange, plan.error);
  }

  async apply(ctx: RunContext): Promise<ResourceStatus> {
    const { noun, name, state } = this.#subject;
    const plan = await this.#subject.plan(ctx.signal);
    // The planners add only what is missing, delete only for `absent`, and modify what they found.
    const action: Action = state === 'absent' ? 'delete' : plan.current ? 'modify' : 'add';
    if (plan.error !== undefined) {
      return plan.status.fail(StatusLevel.CantChange, `will not attempt to ${action} ${noun} ${name}: ${plan.error}`);
    }
    if (!plan.command) return plan.status.build();
    const { program, args } = plan.command;
    const [done, doing] = ACTION_WORDS[action];
    const result = await runCommand(program, args, { signal: ctx.signal });
    if (result.code !== 0) {
      return new StatusBuilder().message(`error ${doing} ${noun} ${name}`).fail(StatusLevel.Fatal, commandFailure(program, result));
    }
    return plan.status.message(`${done} ${noun} ${name}`).build();
  }

  exported(): Readonly<Record<string, unknown>> {
    return this.#subject.exported();
  }
}
