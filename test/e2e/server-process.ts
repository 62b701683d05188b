/** A real `converge server` process on a free loopback port, for the operator tests (e2e only). */
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from './run-cli.js';

export interface ServerProcess {
  readonly port: number;
  readonly child: ChildProcess;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** The `serving` line, in the logfmt or the JSON log format. */
const SERVING = /(?:msg="serving"[^\n]*addr="127\.0\.0\.1:(\d+)")|(?:"msg":"serving"[^\n]*"addr":"127\.0\.0\.1:(\d+)")/;

/** Env for the child: the caller's, without CONVERGE_* (so a developer's settings do not leak in), plus `env`. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CONVERGE_') && k !== 'NOTIFY_SOCKET') out[k] = v;
  return { ...out, ...env };
}

export function startServerProcess(
  t: { teardown(fn: () => void): void },
  cwd: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const child = spawn(BIN, ['server', ...args], { cwd, env: childEnv(env), stdio: ['ignore', 'ignore', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let seen = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      seen += d.toString('utf8');
      const match = SERVING.exec(seen);
      if (match === null) return;
      resolve({
        port: Number(match[1] ?? match[2]),
        child,
        stderr: () => seen,
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${seen}`)));
  });
}
