/** `converge graph <module>`: loads and builds the graph (nothing runs) and prints it as Graphviz dot. */
import { fromWire } from '../../errors.js';
import type { CommandContext } from '../commands.js';
import { EXIT } from '../defaults.js';
import { jobFor, readParams, runnerOptions } from '../job-setup.js';
import { JobResults } from '../job-results.js';
import { renderDot } from '../render/dot.js';
import { openRunner } from '../runner.js';

export async function graphCommand(ctx: CommandContext): Promise<number> {
  const params = readParams(ctx);
  const location = ctx.args.positionals[0]!;
  const job = jobFor(ctx, 'graph', location, params);
  const runner = await openRunner(runnerOptions(ctx));
  try {
    const results = new JobResults();
    const outcome = await runner.run(job, results.accept, ctx.signal);
    if (!outcome.ok) {
      const error = fromWire(outcome.error);
      ctx.log.fatal('could not get graph', { error: error.message, code: error.code, file: location });
      return EXIT.failed;
    }
    const graph = results.graph ?? { vertices: [], edges: [] };
    ctx.stdout.write(renderDot(graph.vertices, graph.edges, { showParams: ctx.args.flags['show-params'] === true }));
    return EXIT.ok;
  } finally {
    await runner.close();
  }
}
