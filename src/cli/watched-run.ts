/**
 * A run on a server, read back through Runs.Watch from its first event and printed as the plan or apply
 * that made it would have printed it: the stored events, then (for a live run) the live ones until it
 * ends. `runs show` and `attach` both print this way; attach also draws the live progress line. A lost
 * connection is followed again from the last seq seen (reattach.ts), as plan and apply do.
 */
import { ConvergeError, fromWire, toWire } from '../errors.js';
import type { ConvergeClient } from '../frontdoor/client.js';
import { reattaching } from '../frontdoor/reattach.js';
import type { JobKind, JobOutcome } from '../protocol.js';
import type { CommandContext } from './command-context.js';
import { EXIT } from './defaults.js';
import { hintsFor } from './error-hints.js';
import { reportFailure, type FailureReport } from './error-report.js';
import { moduleExitStatus } from './exit-status.js';
import { JobResults } from './job-results.js';
import { outputFormat } from './output-flags.js';
import { ProgressLine } from './progress.js';
import { JsonLines } from './render/json-lines.js';
import { styleFor } from './render/style.js';
import { humanReport } from './report.js';
import type { RunNotice } from './runner.js';
import { followStream } from './stream-follow.js';

const SHOWN_KINDS: readonly JobKind[] = ['plan', 'apply', 'healthcheck'];

export interface WatchedRunOptions {
  /** Draw the progress line on a terminal while the run goes on (attach). */
  readonly progress: boolean;
}

/** Prints run `id` and returns the exit status its own plan or apply would have had. */
export async function printWatchedRun(ctx: CommandContext, client: ConvergeClient, id: string, options: WatchedRunOptions): Promise<number> {
  // Get first: an unknown id fails here with CNV_ERR_RUN_NOT_FOUND, and the kind says how to print.
  const summary = (await client.getRun(id)).run;
  const kind = (summary?.kind ?? '') as JobKind;
  if (!SHOWN_KINDS.includes(kind)) {
    throw new ConvergeError('CNV_ERR_CLI_USAGE', `run ${id} is a ${kind || 'unknown'} run, which has no node events to print (plan, apply and healthcheck runs do)`);
  }
  const location = summary?.location ?? '';
  const json = outputFormat(ctx) === 'json' ? new JsonLines(ctx.stdout) : undefined;
  json?.header();
  const log = ctx.log.child({ run: id });
  const passes = kind === 'healthcheck' ? 2 : 1;
  const results = new JobResults(passes);
  if (json) results.onEvent = (e) => json.node(location, e);
  const onNotice = (n: RunNotice): void => {
    if (n.type === 'started') json?.write({ type: 'started', file: location, run: n.runId, command: kind });
  };
  const progress = options.progress && ctx.stderrIsTty ? new ProgressLine(ctx.stderr, results, kind) : undefined;
  const previousHook = ctx.log.beforeWrite;
  if (progress) {
    ctx.log.beforeWrite = () => progress.clear();
    log.beforeWrite = ctx.log.beforeWrite;
    progress.start();
  }
  let outcome: JobOutcome;
  try {
    const stream = reattaching(client, client.watch(id, 1), {
      onRetry: (fields) => log.warn('connection to the server lost; reattaching to the run', fields),
    });
    const nodes = await followStream(stream, results.accept, ctx.signal, log, onNotice);
    outcome = ctx.signal.aborted
      ? { ok: false, error: toWire(new ConvergeError('CNV_ERR_JOB_CANCELLED', 'interrupted before the run ended (it goes on on the server)')) }
      : { ok: true, nodes };
  } catch (error) {
    outcome = { ok: false, error: toWire(error) };
  } finally {
    progress?.stop();
    ctx.log.beforeWrite = previousHook;
  }
  const shown = results.results(passes - 1);
  const exitOptions = { detailed: false, failUnhealthy: ctx.args.flags['fail-unhealthy'] === true };
  const report: FailureReport = { what: `run ${id} failed`, flags: ctx.args.flags, cwd: ctx.cwd, location, sourceIsLocal: false };
  if (json) {
    if (!outcome.ok) json.error(location, outcome.error.code, outcome.error.message, hintsFor(fromWire(outcome.error), report));
    json.summary(kind as 'plan' | 'apply' | 'healthcheck', location, shown, outcome.ok && moduleExitStatus(kind, shown, exitOptions) !== EXIT.failed);
  } else if (outcome.ok || shown.length > 0) {
    ctx.stdout.write(humanReport(kind, shown, styleFor(ctx.stdout, ctx.noColor), ctx.args.flags));
  }
  if (!outcome.ok) {
    reportFailure(log, fromWire(outcome.error), report);
    return EXIT.failed;
  }
  return moduleExitStatus(kind, shown, exitOptions);
}
