/**
 * `task.query`: runs a script only to read its output (`{{lookup `task.query.x.status.stdout`}}`).
 * It never has changes, so it is never applied.
 */
import { ShellTask } from './shell-task.js';
import { INTERPRETER_FIELDS, RUN_FIELDS, prepareShell } from './task.js';
import {
  StatusLevel,
  type DecodedFields,
  type PrepareContext,
  type ResourceDefinition,
  type ResourceStatus,
  type RunContext,
  type Task,
} from '../types.js';
import { makeStatus } from '../status.js';

class QueryTask extends ShellTask implements Task {
  override exported(): Readonly<Record<string, unknown>> {
    return { ...super.exported(), query: this.scripts.check };
  }

  override async apply(ctx: RunContext): Promise<ResourceStatus> {
    // Only reachable if an engine applies a node without changes; report the query again.
    return this.check(ctx);
  }

  protected override status(): ResourceStatus {
    return makeStatus(StatusLevel.NoChange, { messages: this.messages() });
  }
}

export const taskQuery: ResourceDefinition = {
  kind: 'task.query',
  doc: 'Runs a query script whose output other resources read with lookup; it never changes anything.',
  fields: [
    INTERPRETER_FIELDS[0]!,
    { name: 'query', type: 'string', doc: 'The script whose output is wanted.', nonempty: true, default: '' },
    ...INTERPRETER_FIELDS.slice(1),
    ...RUN_FIELDS,
  ],
  exports: ['query', 'dir', 'env', 'status.exitstatus', 'status.stdout', 'status.stderr', 'status.stdin'],
  async prepare(fields: DecodedFields, ctx: PrepareContext): Promise<Task> {
    const query = fields['query'] as string;
    const { command, scripts } = await prepareShell(fields, ctx, query);
    return new QueryTask(command, { ...scripts, check: query, apply: '' });
  },
};
