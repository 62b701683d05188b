/** A real `converge server` process for the run tests: started on a free port, killed in teardown. */
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from '../e2e/run-cli.js';

export interface ServerProcess {
  readonly port: number;
  readonly address: string;
  readonly child: ChildProcess;
  stderr(): string;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited(): Promise<number | string | null>;
}

export function startServerProcess(t: { teardown(fn: () => void): void }, cwd: string, args: readonly string[]): Promise<ServerProcess> {
  const child = spawn(BIN, ['server', '--rpc-addr', '127.0.0.1:0', ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const gone = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  let seen = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      seen += d.toString('utf8');
      const match = /msg="serving"[^\n]*addr="127\.0\.0\.1:(\d+)"/.exec(seen);
      if (match) {
        const port = Number(match[1]);
        resolve({ port, address: `127.0.0.1:${port}`, child, stderr: () => seen, exited: () => gone });
      }
    });
    void gone.then((code) => reject(new Error(`server exited ${String(code)}: ${seen}`)));
  });
}

export async function waitFor(condition: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
