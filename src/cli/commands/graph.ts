/** `converge graph <module>`: loads and builds the graph (nothing runs) and prints it as Graphviz dot. */
import { fromWire, toWire } from '../../errors.js';
import type { JobOutcome } from '../../protocol.js';
import type { CommandContext } from '../command-context.js';
import { EXIT } from '../defaults.js';
import { hintsFor } from '../error-hints.js';
import { reportFailure, type FailureReport } from '../error-report.js';
import { jobFor, readParams, runnerOptions } from '../job-setup.js';
import { JobResults } from '../job-results.js';
import { renderDot } from '../render/dot.js';
import { JsonLines } from '../render/json-lines.js';
import { outputFormat } from '../output-flags.js';
import { declaredParams, warnUndeclaredParams } from '../param-check.js';
import { openRunner } from '../runner.js';
import { withUpload } from '../upload-job.js';

export async function graphCommand(ctx: CommandContext): Promise<number> {
  const params = readParams(ctx);
  const location = ctx.args.positionals[0]!;
  const upload = ctx.args.flags['upload'] === true;
  let job = jobFor(ctx, 'graph', location, params);
  let failed: JobOutcome | undefined;
  try {
    job = await withUpload(job, upload, ctx.cwd, ctx.log.child({ file: location }));
  } catch (error) {
    failed = { ok: false, error: toWire(error) };
  }
  const json = outputFormat(ctx) === 'json' ? new JsonLines(ctx.stdout) : undefined;
  const runner = await openRunner(runnerOptions(ctx));
  try {
    json?.header();
    const results = new JobResults();
    const outcome = failed ?? (await runner.run(job, results.accept, ctx.signal));
    if (!outcome.ok) {
      const error = fromWire(outcome.error);
      const report: FailureReport = {
        what: 'could not get graph',
        flags: ctx.args.flags,
        cwd: ctx.cwd,
        location,
        givenParams: Object.keys(params),
        sourceIsLocal: ctx.args.flags['local'] === true || upload,
      };
      reportFailure(ctx.log.child({ file: location }), error, report);
      json?.error(location, error.code, error.message, hintsFor(error, report));
      json?.write({ type: 'summary', command: 'graph', file: location, ok: false, vertices: 0, edges: 0 });
      return EXIT.failed;
    }
    const graph = results.graph ?? { vertices: [], edges: [] };
    const given = Object.keys(params);
    if (given.length > 0) warnUndeclaredParams(ctx.log.child({ file: location }), location, given, declaredParams(graph.vertices.map((v) => v.id)));
    if (json) {
      for (const v of graph.vertices) json.write({ type: 'vertex', file: location, id: v.id, kind: v.kind, details: parseDetails(v.details) });
      for (const e of graph.edges) json.write({ type: 'edge', file: location, source: e.source, dest: e.dest, attributes: e.attributes ?? [] });
      json.write({ type: 'summary', command: 'graph', file: location, ok: true, vertices: graph.vertices.length, edges: graph.edges.length });
      return EXIT.ok;
    }
    ctx.stdout.write(renderDot(graph.vertices, graph.edges, { showParams: ctx.args.flags['show-params'] === true }));
    return EXIT.ok;
  } finally {
    await runner.close();
  }
}

/** A vertex's details are JSON text on the wire; scripts get the object (or the text, if it is not JSON). */
function parseDetails(text: string): unknown {
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
