/**
 * `converge plan|apply|healthcheck <module>...`: runs each module in turn, shows live progress on a
 * terminal, then prints the human report. Exit 1 when any node failed or a job could not run; healthcheck
 * exits 0 for unhealthy nodes (as the original) unless --fail-unhealthy asks for 3. `--output json` prints
 * JSON lines instead of the report; `--detailed-exitcode` adds 2 for a plan with changes (exit-status.ts).
 */
import { fromWire, toWire } from '../../errors.js';
import type { JobKind, JobOutcome } from '../../protocol.js';
import type { CommandContext } from '../command-context.js';
import { EXIT } from '../defaults.js';
import { hintsFor } from '../error-hints.js';
import { reportFailure, type FailureReport } from '../error-report.js';
import { moduleExitStatus, worstExitStatus } from '../exit-status.js';
import { jobFor, readParams, refuseVerifyModules, runnerOptions } from '../job-setup.js';
import { JobResults } from '../job-results.js';
import { ProgressLine } from '../progress.js';
import { humanReport } from '../report.js';
import { JsonLines } from '../render/json-lines.js';
import { outputFormat, type OutputFormat } from '../output-flags.js';
import { declaredParams, edgeIds, warnUndeclaredParams } from '../param-check.js';
import { styleFor } from '../render/style.js';
import { openRunner, type ClientJob, type RunNotice } from '../runner.js';
import { planOutPath, savedPlanJob, savePlanFile } from '../saved-plan-job.js';
import { withUpload } from '../upload-job.js';

/** What every module of one command shares. */
interface RunSetup {
  readonly ctx: CommandContext;
  readonly kind: JobKind;
  readonly params: Record<string, unknown>;
  readonly style: ReturnType<typeof styleFor>;
  readonly json: JsonLines | undefined;
  readonly exitOptions: { detailed: boolean; failUnhealthy: boolean };
  readonly out: string | undefined;
  readonly upload: boolean;
  readonly runner: Awaited<ReturnType<typeof openRunner>>;
}

export async function runCommand(ctx: CommandContext): Promise<number> {
  const kind = ctx.name as JobKind;
  refuseVerifyModules(ctx);
  const format: OutputFormat = outputFormat(ctx);
  const setup: RunSetup = {
    ctx,
    kind,
    params: readParams(ctx),
    style: styleFor(ctx.stdout, ctx.noColor),
    json: format === 'json' ? new JsonLines(ctx.stdout) : undefined,
    exitOptions: { detailed: ctx.args.flags['detailed-exitcode'] === true, failUnhealthy: ctx.args.flags['fail-unhealthy'] === true },
    out: kind === 'plan' ? planOutPath(ctx) : undefined,
    upload: ctx.args.flags['upload'] === true,
    runner: await openRunner(runnerOptions(ctx)),
  };
  setup.json?.header();
  let status: number = EXIT.ok;
  try {
    for (const location of ctx.args.positionals) {
      if (ctx.signal.aborted) break;
      status = worstExitStatus(status, await runModule(setup, location));
    }
  } finally {
    await setup.runner.close();
  }
  if (ctx.signal.aborted && status === EXIT.ok) status = EXIT.failed;
  return status;
}

/** Runs one module and reports it; returns that module's exit status. */
async function runModule(setup: RunSetup, location: string): Promise<number> {
  const { ctx, kind, params, style, json, exitOptions, out, upload, runner } = setup;
  const asked: ClientJob = (kind === 'apply' ? savedPlanJob(ctx, location) : undefined) ?? {
    ...jobFor(ctx, kind, location, params),
    ...(out !== undefined ? { savePlan: true } : {}),
  };
  const log = ctx.log.child({ file: location });
  // A module that cannot be uploaded fails like a module the server could not load: reported, and on to the next.
  let job = asked;
  let outcome: JobOutcome | undefined;
  try {
    job = await withUpload(asked, upload, ctx.cwd, log);
  } catch (error) {
    outcome = { ok: false, error: toWire(error) };
  }
  const passes = kind === 'healthcheck' ? 2 : 1;
  const results = new JobResults(passes);
  const debug = log.enabled('debug');
  if (debug || json) {
    results.onEvent = (e) => {
      if (debug) log.debug('got status', { id: e.id, run: e.run, stage: e.stage, pass: e.pass });
      json?.node(location, e);
    };
  }
  const progress = ctx.stderrIsTty ? new ProgressLine(ctx.stderr, results, kind) : undefined;
  let planText: string | undefined;
  const onNotice = (n: RunNotice): void => {
    if (n.type === 'saved-plan') planText = n.text;
    else if (n.type === 'loading') progress?.loading(n.progress);
    else if (n.type === 'queued') json?.write({ type: 'queued', file: location, run: n.runId, behind: n.behind, position: n.position, message: n.text });
    else json?.write({ type: 'started', file: location, run: n.runId, command: kind });
  };
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
    // Uploaded modules are this machine's files, so an error's line can be shown from them.
    sourceIsLocal: ctx.args.flags['local'] === true || upload,
  };
  try {
    outcome ??= await runner.run(job, accept, ctx.signal, onNotice);
  } finally {
    progress?.stop();
    ctx.log.beforeWrite = previousHook;
  }
  const shown = results.results(passes - 1);
  const saved = out === undefined || !outcome.ok || savePlanFile(out, planText, log, json, location);
  // Nodes that already ran are reported even when the job failed part-way (the original printed nothing).
  if (json) {
    if (!outcome.ok) json.error(location, outcome.error.code, outcome.error.message, hintsFor(fromWire(outcome.error), failureReport));
    const ok = outcome.ok && saved && moduleExitStatus(kind, shown, exitOptions) !== EXIT.failed;
    json.summary(kind as 'plan' | 'apply' | 'healthcheck', location, shown, ok);
  } else if (outcome.ok || shown.length > 0) {
    ctx.stdout.write(humanReport(kind, shown, style, ctx.args.flags));
  }
  if (!outcome.ok) {
    reportFailure(log, fromWire(outcome.error), failureReport);
    return EXIT.failed;
  }
  return saved ? moduleExitStatus(kind, shown, exitOptions) : EXIT.failed;
}
