/** `converge ping`: asks the server at --rpc-addr to answer and prints `pong`. */
import type { CommandContext } from '../command-context.js';
import { EXIT } from '../defaults.js';
import { formatHostPort, parseHostPort } from '../address.js';

export async function pingCommand(ctx: CommandContext): Promise<number> {
  const flag = (name: string): string => {
    const value = ctx.args.flags[name];
    return typeof value === 'string' ? value : '';
  };
  const { ConvergeClient } = await import('../../frontdoor/client.js');
  const client = new ConvergeClient({
    address: formatHostPort(parseHostPort(flag('rpc-addr'), '--rpc-addr', '127.0.0.1')),
    token: ctx.args.flags['no-token'] === true || flag('rpc-token') === '' ? null : flag('rpc-token'),
    ...(flag('rpc-key-name') !== '' ? { keyName: flag('rpc-key-name') } : {}),
    useSsl: ctx.args.flags['use-ssl'] === true,
    ...(flag('ca-file') !== '' ? { caFile: flag('ca-file') } : {}),
  });
  try {
    await client.ping();
    ctx.stdout.write('pong\n');
    return EXIT.ok;
  } finally {
    client.close();
  }
}
