/**
 * Where `converge server` keeps what outlives a process (the run store). As root the system's state
 * directory, as anyone else the XDG state directory, so a user's test server never needs root and never
 * writes into /var.
 */
import os from 'node:os';
import path from 'node:path';

/** The run store's file name inside the state directory. */
export const RUN_STORE_FILE = 'runs.sqlite';

/** `/var/lib/converge` as root; `$XDG_STATE_HOME/converge`, else `~/.local/state/converge`. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, uid: number = process.getuid?.() ?? -1): string {
  if (uid === 0) return '/var/lib/converge';
  const xdg = env['XDG_STATE_HOME'];
  // The XDG spec says a relative value is invalid and must be ignored.
  if (xdg !== undefined && xdg !== '' && path.isAbsolute(xdg)) return path.join(xdg, 'converge');
  return path.join(os.homedir(), '.local', 'state', 'converge');
}
