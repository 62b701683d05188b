/**
 * The client for commands that read a server's runs (`runs`, `runs show`, `attach`), from the same
 * connection flags as plan. They refuse `--local`: an in-process server starts empty, so there would be
 * no run to list or follow.
 */
import { ConvergeError } from '../errors.js';
import type { ConvergeClient } from '../frontdoor/client.js';
import { formatHostPort, parseHostPort } from './address.js';
import type { CommandContext } from './command-context.js';

function flag(ctx: CommandContext, name: string): string {
  const value = ctx.args.flags[name];
  return typeof value === 'string' ? value : '';
}

export async function remoteClient(ctx: CommandContext, command: string): Promise<ConvergeClient> {
  if (ctx.args.flags['local'] === true) {
    throw new ConvergeError('CNV_ERR_CLI_USAGE', `${command} reads a server's run history; --local has none (give --rpc-addr)`);
  }
  const { ConvergeClient } = await import('../frontdoor/client.js');
  const keyName = flag(ctx, 'rpc-key-name');
  return new ConvergeClient({
    address: formatHostPort(parseHostPort(flag(ctx, 'rpc-addr'), '--rpc-addr', '127.0.0.1')),
    token: ctx.args.flags['no-token'] === true || flag(ctx, 'rpc-token') === '' ? null : flag(ctx, 'rpc-token'),
    ...(keyName !== '' ? { keyName } : {}),
    useSsl: ctx.args.flags['use-ssl'] === true,
    ...(flag(ctx, 'ca-file') !== '' ? { caFile: flag(ctx, 'ca-file') } : {}),
  });
}
