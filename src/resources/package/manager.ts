/**
 * What package.apt and package.rpm share: the fields, the check (the diff is
 * `<name>: "<current state>" => "<wanted state>"`), and an apply that goes through the manager's
 * coalescing queue so that ready package nodes of one group share a transaction.
 */
import { CoalescingQueue, type BatchableTask, type Settled } from './batch.js';
import { commandFailure, prepareError, type CommandResult } from '../command.js';
import { StatusBuilder } from '../status.js';
import { decodedState, stateField, type PresenceState } from '../state-field.js';
import {
  StatusLevel,
  type DecodedFields,
  type PrepareContext,
  type ResourceDefinition,
  type ResourceStatus,
  type RunContext,
  type Task,
} from '../types.js';

export type PackageState = PresenceState;
export type PackageAction = 'install' | 'remove';

/** One system's package tools. Names are passed as argv; several names make one transaction. */
export interface PackageManager {
  /** `apt`, `rpm`: used in batch keys and messages. */
  readonly id: string;
  /** The installed version, or undefined when the package is not installed. */
  installedVersion(name: string, signal?: AbortSignal): Promise<string | undefined>;
  change(action: PackageAction, names: readonly string[], signal?: AbortSignal): Promise<CommandResult>;
  /** The program named in errors (`apt-get`, `yum`). */
  readonly changeProgram: string;
}

/** Output lines of a transaction kept in a node's messages; apt prints dozens. */
const OUTPUT_LINES = 12;

/**
 * How long a batch waits for more requests of its group (bench/apt.bench.ts measures the gain). The
 * environment variable CONVERGE_PACKAGE_BATCH_WINDOW_MS overrides it, read when a queue is first used:
 * a loaded machine may need a longer window for the nodes of a group to meet.
 */
export const PACKAGE_BATCH_WINDOW_MS = 250;

function batchWindowMs(): number {
  const configured = Number(process.env['CONVERGE_PACKAGE_BATCH_WINDOW_MS']);
  return Number.isFinite(configured) && configured >= 0 ? configured : PACKAGE_BATCH_WINDOW_MS;
}

/**
 * The queue's runner: one transaction for the whole batch; if it fails and the batch had more than
 * one package, each package is retried alone so that only the broken one reports the failure.
 */
function batchRunner(manager: PackageManager) {
  return async (key: string, names: readonly string[], signal: AbortSignal): Promise<Settled<CommandResult>[]> => {
    const action: PackageAction = key.startsWith('install:') ? 'install' : 'remove';
    const unique = [...new Set(names)];
    const together = await manager.change(action, unique, signal);
    if (together.code === 0 || unique.length === 1) {
      return names.map(() => ({ ok: true, value: together }));
    }
    const alone = new Map<string, CommandResult>();
    for (const name of unique) alone.set(name, await manager.change(action, [name], signal));
    return names.map((name) => ({ ok: true, value: alone.get(name) ?? together }));
  };
}

const queues = new Map<string, CoalescingQueue<string, CommandResult>>();

/** The process-wide queue of one package manager (one lock per package system). */
export function packageQueue(manager: PackageManager): CoalescingQueue<string, CommandResult> {
  let queue = queues.get(manager.id);
  if (!queue) {
    queue = new CoalescingQueue({ windowMs: batchWindowMs(), maxBatch: 64, run: batchRunner(manager) });
    queues.set(manager.id, queue);
  }
  return queue;
}

export class PackageTask implements Task, BatchableTask {
  readonly #name: string;
  readonly #state: PackageState;
  readonly #manager: PackageManager;
  readonly #queue: CoalescingQueue<string, CommandResult>;
  /** Without a group, a node batches only with itself; it still waits for the manager's lock. */
  readonly #group: string;

  constructor(name: string, state: PackageState, manager: PackageManager, group: string, queue?: CoalescingQueue<string, CommandResult>) {
    this.#name = name;
    this.#state = state;
    this.#manager = manager;
    this.#group = group;
    this.#queue = queue ?? packageQueue(manager);
  }

  get batchKey(): string {
    return `${this.#manager.id}:${this.#group}`;
  }

  async #currentState(signal?: AbortSignal): Promise<PackageState> {
    return (await this.#manager.installedVersion(this.#name, signal)) === undefined ? 'absent' : 'present';
  }

  async check(ctx: RunContext): Promise<ResourceStatus> {
    const current = await this.#currentState(ctx.signal);
    const status = new StatusBuilder();
    if (current !== this.#state) status.diff(this.#name, current, this.#state);
    return status.build();
  }

  async apply(ctx: RunContext): Promise<ResourceStatus> {
    const before = await this.#currentState(ctx.signal);
    const status = new StatusBuilder();
    if (before === this.#state) return status.build();
    const action: PackageAction = this.#state === 'present' ? 'install' : 'remove';
    ctx.progress?.(`waiting for ${this.#manager.changeProgram} (${action} ${this.#name})`);
    const result = await this.#queue.submit(`${action}:${this.batchKey}`, this.#name, ctx.signal);
    status.message(`${action === 'install' ? 'installed' : 'removed'} ${this.#name}`);
    const tail = (result.stdout.trim() + '\n' + result.stderr.trim()).trim().split('\n').slice(-OUTPUT_LINES).join('\n');
    if (tail) status.message(tail);
    if (result.code !== 0) return status.fail(StatusLevel.Fatal, commandFailure(this.#manager.changeProgram, result));
    return status.diff(this.#name, before, this.#state).build();
  }

  exported(): Readonly<Record<string, unknown>> {
    return { name: this.#name, state: this.#state };
  }
}

/** Builds the definition of one package kind around its manager. */
export function packageDefinition(kind: string, doc: string, manager: PackageManager): ResourceDefinition {
  return {
    kind,
    doc,
    fields: [
      { name: 'name', type: 'string', required: true, nonempty: true, doc: 'The name of the package.' },
      stateField('present installs the package when it is missing; absent removes it when it is installed.'),
    ],
    exports: ['name', 'state'],
    prepare(fields: DecodedFields, ctx: PrepareContext): Task {
      const state = decodedState(fields);
      const name = String(fields['name']);
      // Names reach apt-get and yum as argv; one starting with a dash would be read as an option.
      if (name.startsWith('-') || /\s/.test(name)) throw prepareError(ctx, 'name', `invalid package name ${JSON.stringify(name)}`);
      return new PackageTask(name, state, manager, ctx.group ?? `node:${ctx.id}`);
    },
  };
}
