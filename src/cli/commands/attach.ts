/**
 * `converge attach ID`: follows a run on a server (Runs.Watch from its first event: what it did so far,
 * then live) and prints it as its own plan or apply would have, with the live progress line on a
 * terminal. A finished run is printed at once. Exits with the run's status.
 */
import type { CommandContext } from '../command-context.js';
import { remoteClient } from '../remote-client.js';
import { printWatchedRun } from '../watched-run.js';

export async function attachCommand(ctx: CommandContext): Promise<number> {
  const client = await remoteClient(ctx, 'attach');
  try {
    return await printWatchedRun(ctx, client, ctx.args.positionals[0] ?? '', { progress: true });
  } finally {
    client.close();
  }
}
