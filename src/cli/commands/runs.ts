/**
 * `converge runs`: the server's run history (Runs.List) as a table, newest first, or as JSON lines with
 * `-o json`. The filters are the API's; the server checks them and names the bad one.
 */
import type { CommandContext } from '../command-context.js';
import { EXIT } from '../defaults.js';
import { ConvergeError } from '../../errors.js';
import { formatHostPort, parseHostPort } from '../address.js';
import { outputFormat } from '../output-flags.js';
import { alignTabs } from '../render/tabwriter.js';

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
  if (ctx.args.flags['local'] === true) {
    throw new ConvergeError('CNV_ERR_CLI_USAGE', 'runs reads a server\'s run history; --local has none (give --rpc-addr)');
  }
  const limit = ctx.args.flags['limit'];
  const { ConvergeClient } = await import('../../frontdoor/client.js');
  const client = new ConvergeClient({
    address: formatHostPort(parseHostPort(flag(ctx, 'rpc-addr'), '--rpc-addr', '127.0.0.1')),
    token: ctx.args.flags['no-token'] === true || flag(ctx, 'rpc-token') === '' ? null : flag(ctx, 'rpc-token'),
    useSsl: ctx.args.flags['use-ssl'] === true,
    ...(flag(ctx, 'ca-file') !== '' ? { caFile: flag(ctx, 'ca-file') } : {}),
  });
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
