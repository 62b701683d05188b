/**
 * `converge plan|apply|healthcheck <module>...`: runs each module in turn, shows live progress on a
 * terminal, then prints the human report. Exit 1 when any node failed or a job could not run; healthcheck
 * exits 0 for unhealthy nodes (as the original) unless --fail-unhealthy asks for 3. `--output json` prints
 * JSON lines instead of the report; `--detailed-exitcode` adds 2 for a plan with changes (exit-status.ts).
 */
import { fromWire } from '../../errors.js';
import type { JobKind } from '../../protocol.js';
import type { CommandContext } from '../command-context.js';
import { EXIT } from '../defaults.js';
import { hintsFor } from '../error-hints.js';
import { reportFailure, type FailureReport } from '../error-report.js';
import { moduleExitStatus, worstExitStatus, type ExitOptions } from '../exit-status.js';
import { jobFor, readParams, refuseVerifyModules, runnerOptions } from '../job-setup.js';
import { JobResults } from '../job-results.js';
import { ProgressLine } from '../progress.js';
import { renderHealth } from '../render/health.js';
import { renderHuman } from '../render/human.js';
import { JsonLines } from '../render/json-lines.js';
import { outputFormat } from '../output-flags.js';
import { declaredParams, edgeIds, warnUndeclaredParams } from '../param-check.js';
import { styleFor } from '../render/style.js';
import { openRunner, type ClientJob, type JobRunner, type RunNotice } from '../runner.js';
import { planOutPath, savedPlanJob, savePlanFile } from '../saved-plan-job.js';

/** What every module of one command shares. */
interface RunSetup {
  readonly kind: JobKind;
  readonly params: ReturnType<typeof readParams>;
  readonly style: ReturnType<typeof styleFor>;
  readonly json: JsonLines | undefined;
  readonly exitOptions: ExitOptions;
  /** `plan -out FILE`. */
  readonly out: string | undefined;
}

export async function runCommand(ctx: CommandContext): Promise<number> {
  const kind = ctx.name as JobKind;
  refuseVerifyModules(ctx);
  const setup: RunSetup = {
    kind,
    params: readParams(ctx),
    style: styleFor(ctx.stdout, ctx.noColor),
    json: outputFormat(ctx) === 'json' ? new JsonLines(ctx.stdout) : undefined,
    exitOptions: { detailed: ctx.args.flags['detailed-exitcode'] === true, failUnhealthy: ctx.args.flags['fail-unhealthy'] === true },
    out: kind === 'plan' ? planOutPath(ctx) : undefined,
  };
  const runner = await openRunner(runnerOptions(ctx));
  setup.json?.header();
  let status: number = EXIT.ok;
  try {
    for (const location of ctx.args.positionals) {
      if (ctx.signal.aborted) break;
      status = worstExitStatus(status, await runModule(ctx, runner, location, setup));
    }
  } finally {
    await runner.close();
  }
  if (ctx.signal.aborted && status === EXIT.ok) status = EXIT.failed;
  return status;
}

/** Runs one module argument, prints its report, and returns its exit status. */
async function runModule(ctx: CommandContext, runner: JobRunner, location: string, setup: RunSetup): Promise<number> {
  const { kind, params, json, out } = setup;
  const job: ClientJob = (kind === 'apply' ? savedPlanJob(ctx, location) : undefined) ?? {
    ...jobFor(ctx, kind, location, params),
    ...(out !== undefined ? { savePlan: true } : {}),
  };
  const log = ctx.log.child({ file: location });
  const passes = kind === 'healthcheck' ? 2 : 1;
  const results = new JobResults(passes);
  const debug = log.enabled('debug');
  if (debug || json) {
    results.onEvent = (e) => {
      if (debug) log.debug('got status', { id: e.id, run: e.run, stage: e.stage, pass: e.pass });
      json?.node(location, e);
    };
  }
  let planText: string | undefined;
  const onNotice = (n: RunNotice): void => {
    if (n.type === 'saved-plan') planText = n.text;
    else if (n.type === 'queued') json?.write({ type: 'queued', file: location, run: n.runId, behind: n.behind, position: n.position, message: n.text });
    else json?.write({ type: 'started', file: location, run: n.runId, command: kind });
  };
  const progress = ctx.stderrIsTty ? new ProgressLine(ctx.stderr, results, kind) : undefined;
  const previousHook = ctx.log.beforeWrite;
  if (progress) {
    ctx.log.beforeWrite = () => progress.clear();
    log.beforeWrite = ctx.log.beforeWrite;
    progress.start();
  }
  const given = job.savedPlan === undefined ? Object.keys(params) : [];
  const accept: typeof results.accept =
    given.length === 0
      ? results.accept
      : (message) => {
          results.accept(message);
          if (message.type === 'edges') warnUndeclaredParams(log, location, given, declaredParams(edgeIds(message.edges)));
        };
  const failureReport: FailureReport = {
    what: 'could not get responses',
    flags: ctx.args.flags,
    cwd: ctx.cwd,
    location,
    givenParams: given,
    sourceIsLocal: ctx.args.flags['local'] === true,
  };
  let outcome;
  try {
    outcome = await runner.run(job, accept, ctx.signal, onNotice);
  } finally {
    progress?.stop();
    ctx.log.beforeWrite = previousHook;
  }
  const shown = results.results(passes - 1);
  const saved = out === undefined || !outcome.ok || savePlanFile(out, planText, log, json, location);
  // Nodes that already ran are reported even when the job failed part-way (the original printed nothing).
  if (json) {
    if (!outcome.ok) json.error(location, outcome.error.code, outcome.error.message, hintsFor(fromWire(outcome.error), failureReport));
    const ok = outcome.ok && saved && moduleExitStatus(kind, shown, setup.exitOptions) !== EXIT.failed;
    json.summary(kind as 'plan' | 'apply' | 'healthcheck', location, shown, ok);
  } else if (outcome.ok || shown.length > 0) {
    ctx.stdout.write(
      kind === 'healthcheck'
        ? renderHealth(shown, { style: setup.style, quiet: ctx.args.flags['quiet'] === true })
        : renderHuman(shown, {
            style: setup.style,
            showMeta: ctx.args.flags['show-meta'] === true,
            onlyShowChanges: ctx.args.flags['only-show-changes'] === true,
          }),
    );
  }
  if (!outcome.ok) {
    reportFailure(log, fromWire(outcome.error), failureReport);
    return EXIT.failed;
  }
  return saved ? moduleExitStatus(kind, shown, setup.exitOptions) : EXIT.failed;
}
