/**
 * `converge server`: serves plan, apply, healthcheck and graph over gRPC and HTTP on one port until
 * interrupted. Checks its flags before binding, as the original's PreRun did: TLS needs both the
 * certificate and the key, and --root must be an existing directory.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { ConvergeError } from '../../errors.js';
import { parseHostPort } from '../address.js';
import type { CommandContext } from '../command-context.js';
import { EXIT } from '../defaults.js';
import { frontDoorLogger } from '../frontdoor-logger.js';
import { guardOptionsFromFlags } from '../server-guard-flags.js';
import { limitsFromFlags } from '../server-limit-flags.js';
import { loadOptionsFromFlags } from '../server-load-flags.js';
import { metricsOptionsFromFlags } from '../server-metrics-flags.js';
import { scheduleOptionsFromFlags } from '../server-schedule-flags.js';
import { storeOptionsFromFlags } from '../server-store-flags.js';
import { planOptionsFromFlags } from '../saved-plan-flags.js';
import { sdNotify } from '../sd-notify.js';

function str(ctx: CommandContext, name: string): string {
  const value = ctx.args.flags[name];
  return typeof value === 'string' ? value : '';
}

export async function serverCommand(ctx: CommandContext): Promise<number> {
  const { host, port } = parseHostPort(str(ctx, 'rpc-addr'), '--rpc-addr', '0.0.0.0');
  const useSsl = ctx.args.flags['use-ssl'] === true;
  const certFile = str(ctx, 'cert-file');
  const keyFile = str(ctx, 'key-file');
  if (useSsl && (certFile === '' || keyFile === '')) {
    throw new ConvergeError('CNV_ERR_CLI_USAGE', '--use-ssl needs both --cert-file and --key-file');
  }
  let root: string | undefined;
  if (str(ctx, 'root') !== '') {
    root = path.resolve(ctx.cwd, str(ctx, 'root'));
    let isDirectory: boolean;
    try {
      isDirectory = statSync(root).isDirectory();
    } catch {
      isDirectory = false;
    }
    if (!isDirectory) throw new ConvergeError('CNV_ERR_CLI_USAGE', `--root ${str(ctx, 'root')} is not a directory`);
  }
  const load = loadOptionsFromFlags(ctx.args.flags);
  const limits = limitsFromFlags(ctx.args.flags);
  const metrics = metricsOptionsFromFlags(ctx.args.flags);
  const schedules = scheduleOptionsFromFlags(ctx.args.flags, ctx.cwd);
  const { startServer } = await import('../../frontdoor/server.js');
  const server = await startServer({
    ...load,
    ...guardOptionsFromFlags(ctx.args.flags),
    ...storeOptionsFromFlags(ctx.args.flags, ctx.cwd, ctx.env),
    ...metrics,
    ...schedules,
    limits,
    host,
    port,
    ...(str(ctx, 'rpc-token') !== '' ? { token: str(ctx, 'rpc-token') } : {}),
    noToken: ctx.args.flags['no-token'] === true,
    ...(str(ctx, 'rpc-keys') !== '' ? { clientKeysFile: path.resolve(ctx.cwd, str(ctx, 'rpc-keys')) } : {}),
    ...(useSsl ? { tls: { certFile, keyFile, ...(str(ctx, 'ca-file') !== '' ? { caFile: str(ctx, 'ca-file') } : {}) } } : {}),
    ...(root !== undefined ? { root } : {}),
    selfServe: ctx.args.flags['self-serve'] === true,
    logger: frontDoorLogger(ctx.log, { component: 'rpc' }),
    cwd: ctx.cwd,
    plans: planOptionsFromFlags(ctx.args.flags, ctx.cwd),
  });
  if (!useSsl) ctx.log.warn('no SSL config in use, server will accept unencrypted connections', { component: 'rpc' });
  await sdNotify({ ready: true, status: `serving on ${server.url}` }, ctx.env, ctx.log);
  // SIGHUP re-reads --rpc-keys: a removed line is refused from then on, without a restart. A file
  // that no longer parses leaves the keys as they were.
  const onHangup = (): void => {
    try {
      server.reloadClientKeys();
    } catch (error) {
      ctx.log.error('named client keys not reloaded; the previous keys stay in force', { component: 'rpc', error: (error as Error).message });
    }
  };
  if (str(ctx, 'rpc-keys') !== '') process.on('SIGHUP', onHangup);
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  process.off('SIGHUP', onHangup);
  // SIGTERM or the first Ctrl-C: running jobs finish (within --shutdown-grace) and reach their clients.
  const stopping = sdNotify({ stopping: true, status: 'shutting down: running jobs may finish' }, ctx.env, ctx.log);
  await server.shutdown();
  await stopping;
  return EXIT.ok;
}
