/**
 * `converge runs`: the server's run history (Runs.List) as a table, newest first, or as JSON lines with
 * `-o json`. The filters are the API's; the server checks them and names the bad one. `converge runs
 * show ID` prints one run as its plan or apply did (watched-run.ts).
 */
import type { CommandContext } from '../command-context.js';
import { EXIT } from '../defaults.js';
import { usageError } from '../args.js';
import { outputFormat } from '../output-flags.js';
import { remoteClient } from '../remote-client.js';
import { alignTabs } from '../render/tabwriter.js';
import { printWatchedRun } from '../watched-run.js';

function flag(ctx: CommandContext, name: string): string {
  const value = ctx.args.flags[name];
  return typeof value === 'string' ? value : '';
}

function duration(startedAt: string, finishedAt: string): string {
  if (startedAt === '' || finishedAt === '') return '-';
  const ms = Date.parse(finishedAt) - Date.parse(startedAt);
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

export async function runsCommand(ctx: CommandContext): Promise<number> {
  const [sub, id, ...rest] = ctx.args.positionals;
  if (sub !== undefined && (sub !== 'show' || id === undefined || rest.length > 0)) {
    throw usageError(`runs takes no arguments, or "show ID"; got ${ctx.args.positionals.map((p) => `"${p}"`).join(' ')}`);
  }
  const client = await remoteClient(ctx, sub === 'show' ? 'runs show' : 'runs');
  if (id !== undefined) {
    try {
      return await printWatchedRun(ctx, client, id, { progress: false });
    } finally {
      client.close();
    }
  }
  const limit = ctx.args.flags['limit'];
  try {
    const page = await client.listRuns({
      kind: flag(ctx, 'kind'),
      outcome: flag(ctx, 'outcome'),
      since: flag(ctx, 'since'),
      module: flag(ctx, 'module'),
      ...(typeof limit === 'number' && limit > 0 ? { pageSize: limit } : {}),
    });
    if (outputFormat(ctx) === 'json') {
      for (const run of page.runs) ctx.stdout.write(`${JSON.stringify({ type: 'run', ...run })}\n`);
      return EXIT.ok;
    }
    const lines = ['ID\tKIND\tOUTCOME\tMODULE\tWHO\tSTARTED\tDURATION\tNODES/CHANGES/ERRORS'];
    for (const r of page.runs) {
      lines.push(`${r.id}\t${r.kind}\t${r.outcome}\t${r.location}\t${r.who || '-'}\t${r.startedAt || '-'}\t${duration(r.startedAt, r.finishedAt)}\t${r.nodes}/${r.changed}/${r.failed}`);
    }
    ctx.stdout.write(alignTabs(`${lines.join('\n')}\n`, { padding: 2 }));
    return EXIT.ok;
  } finally {
    client.close();
  }
}
