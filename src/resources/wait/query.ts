/**
 * `wait.query`: waits until a check script exits 0. Planning runs the check once; applying retries it
 * (see wait.ts) and reports `Passed after N retries (dur)` or `Failed after N retries (dur)`.
 */
import { ConvergeError, getErrorMessage } from '../../errors.js';
import { ShellTask, summarize } from '../shell/shell-task.js';
import { INTERPRETER_FIELDS, RUN_FIELDS, prepareShell } from '../shell/task.js';
import type { DecodedFields, PrepareContext, ResourceDefinition, ResourceStatus, RunContext, Task } from '../types.js';
import { RETRY_FIELDS, retryOptions, retrySummary, retryUntil, type RetryOptions, type RetryOutcome } from './wait.js';

class WaitQuery extends ShellTask implements Task {
  readonly #options: RetryOptions;
  #outcome: RetryOutcome = { passed: false, retries: 0, durationNs: 0 };

  constructor(options: RetryOptions, ...rest: ConstructorParameters<typeof ShellTask>) {
    super(...rest);
    this.#options = options;
  }

  override async apply(ctx: RunContext): Promise<ResourceStatus> {
    try {
      this.#outcome = await retryUntil(this.#options, ctx, async (tryNumber) => {
        const op = `check ${tryNumber}`;
        const outcome = await this.run(this.scripts.check, ctx, op);
        if (typeof outcome === 'string') throw new Error(outcome);
        // Only the latest attempt is shown or looked up; keeping every one would grow with max_retry.
        this.history = [{ op, result: outcome }];
        return outcome.exitStatus === 0;
      });
    } catch (error) {
      if (error instanceof ConvergeError && error.code === 'CNV_ERR_JOB_CANCELLED') throw error;
      return this.failed(getErrorMessage(error));
    }
    return this.status();
  }

  protected override messages(): string[] {
    const latest = this.history[this.history.length - 1];
    const passed = latest === undefined || latest.result.exitStatus === 0;
    const out = [retrySummary({ ...this.#outcome, passed })];
    // The original printed the oldest attempt here; the latest is the one that explains the failure.
    if (!passed && latest !== undefined) out.push(`Last attempt: ${summarize(latest)}`);
    return out;
  }
}

export const waitQuery: ResourceDefinition = {
  kind: 'wait.query',
  doc: 'Waits for a check script to exit 0, retrying it at an interval up to max_retry times.',
  fields: [
    INTERPRETER_FIELDS[0]!,
    {
      name: 'check',
      type: 'string',
      doc: 'Script that exits 0 once the awaited thing is ready.',
      required: true,
      nonempty: true,
    },
    ...INTERPRETER_FIELDS.slice(1),
    ...RUN_FIELDS,
    ...RETRY_FIELDS,
  ],
  exports: ['check', 'dir', 'env', 'status.exitstatus', 'status.stdout', 'status.stderr', 'status.stdin', 'checkstatus'],
  async prepare(fields: DecodedFields, ctx: PrepareContext): Promise<Task> {
    const check = fields['check'] as string;
    const { command, scripts } = await prepareShell(fields, ctx, check);
    return new WaitQuery(retryOptions(fields), command, { ...scripts, check, apply: '' });
  },
};
