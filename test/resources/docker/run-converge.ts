/** Runs the real `bin/converge` with an in-process server, for the docker end-to-end tests. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from build/test/resources/docker/. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `converge <command> --local ... <args>` in `cwd` with `env` added; bounded to two minutes. */
export function converge(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const argv = [command, '--local', '--local-addr', '127.0.0.1:0', '--nocolor', ...args];
  return new Promise((resolve, reject) => {
    execFile(
      path.join(ROOT, 'bin/converge'),
      argv,
      { cwd, env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : undefined;
        if (code === undefined) reject(error ?? new Error('converge did not exit'));
        else resolve({ code, stdout, stderr });
      },
    );
  });
}
