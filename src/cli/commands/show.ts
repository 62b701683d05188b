/**
 * `converge show plan.cvg`: prints a saved plan with the human printer (what the apply of that file will
 * do), or as JSON lines. Nothing is contacted: the signature can only be checked by the server that made
 * the plan, which does so when the file is applied.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConvergeError, getErrorMessage } from '../../errors.js';
import { parsePlanFile } from '../../plan-file.js';
import type { CommandContext } from '../command-context.js';
import { EXIT } from '../defaults.js';
import { outputFormat } from '../output-flags.js';
import { renderHuman, type NodeResult } from '../render/human.js';
import { JsonLines } from '../render/json-lines.js';
import { styleFor } from '../render/style.js';

export async function showCommand(ctx: CommandContext): Promise<number> {
  const file = ctx.args.positionals[0]!;
  const json = outputFormat(ctx) === 'json' ? new JsonLines(ctx.stdout) : undefined;
  json?.header();
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(ctx.cwd, file), 'utf8');
  } catch (error) {
    throw new ConvergeError('CNV_ERR_LOAD_READ', `cannot read ${file}: ${getErrorMessage(error)}`);
  }
  let plan;
  try {
    plan = parsePlanFile(text).plan;
  } catch (error) {
    if (json && error instanceof ConvergeError) {
      json.error(file, error.code, error.message);
      return EXIT.failed;
    }
    throw error;
  }
  const results: NodeResult[] = Object.entries(plan.nodes).map(([id, details]) => ({ id, details }));
  if (json) {
    json.write({
      type: 'plan',
      file,
      server: plan.server,
      createdAt: plan.createdAt,
      run: plan.run,
      location: plan.location,
      params: plan.params,
      modules: Object.keys(plan.sources),
    });
    for (const { id, details } of results) json.node(file, { id, stage: 'PLAN', run: 'FINISHED', pass: 0, details });
    json.summary('plan', file, results, true);
    return EXIT.ok;
  }
  const params = Object.entries(plan.params).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  ctx.stdout.write(
    [
      `Saved plan of ${plan.location} (run ${plan.run}), made ${plan.createdAt} by server ${plan.server}`,
      `Params: ${params.length > 0 ? params.join(', ') : '(none)'}`,
      `Modules: ${Object.keys(plan.sources).join(', ')}`,
      'The server checks the signature and re-checks every node when the file is applied.',
      '',
    ].join('\n'),
  );
  ctx.stdout.write(
    renderHuman(results, {
      style: styleFor(ctx.stdout, ctx.noColor),
      showMeta: ctx.args.flags['show-meta'] === true,
      onlyShowChanges: ctx.args.flags['only-show-changes'] === true,
    }),
  );
  return EXIT.ok;
}
