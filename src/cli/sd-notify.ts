/**
 * Tells systemd how the server is doing when it runs as a `Type=notify` unit (contrib/converge.service):
 * READY=1 once it listens, STOPPING=1 when a graceful stop begins. Node cannot send on a unix datagram
 * socket, so the message goes through systemd's own systemd-notify, which waits on a barrier until
 * systemd has read it (no race with the helper exiting). As root it also names this process as the
 * sender (--pid), so the unit's NotifyAccess may stay `main`; as another user the unit needs `all`.
 * Outside systemd (no NOTIFY_SOCKET) nothing happens.
 */
import { spawn } from 'node:child_process';
import type { Logger } from './log.js';

export type NotifyState = { readonly ready: true; readonly status: string } | { readonly stopping: true; readonly status: string };

export function sdNotify(state: NotifyState, env: NodeJS.ProcessEnv, log: Logger): Promise<void> {
  if ((env['NOTIFY_SOCKET'] ?? '') === '') return Promise.resolve();
  const args = ['ready' in state ? '--ready' : 'STOPPING=1', `--status=${state.status}`];
  if (process.getuid?.() === 0) args.push(`--pid=${process.pid}`);
  return new Promise((resolve) => {
    const child = spawn('systemd-notify', args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString();
    });
    child.once('error', (error) => {
      log.warn('NOTIFY_SOCKET is set but systemd-notify could not run; systemd is not told the server is ready', { error: error.message });
      resolve();
    });
    child.once('close', (code) => {
      if (code !== 0) log.warn('systemd-notify failed', { exit: code, error: stderr.trim() });
      resolve();
    });
  });
}
