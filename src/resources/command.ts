/**
 * Runs the system tools behind the system resources (useradd, dpkg-query, apt-get, rpm, yum, ...).
 * Arguments go to the program as argv, never through a shell, so package and user names cannot inject
 * commands. The tools are looked up on PATH at call time, which is what lets tests put recording
 * fakes in front of the real ones.
 */
import { spawn } from 'node:child_process';
import { ConvergeError } from '../errors.js';

/** What a finished command reported. `code` is -1 when it was killed by a signal. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandOptions {
  readonly signal?: AbortSignal;
  /** Added over the process environment. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Runs `program args...` and resolves with its exit code and output; it rejects only when the
 * program cannot be started (ENOENT) or the signal aborts it.
 */
export function runCommand(
  program: string,
  args: readonly string[],
  options: CommandOptions = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** The error text for a failed command: its stderr, or stdout when stderr is empty. */
export function commandFailure(program: string, result: CommandResult): string {
  const text = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-5).join('\n');
  return `${program} exited with status ${result.code}${text ? `: ${text}` : ''}`;
}

/**
 * A prepare-time error about one field of a node (the semantic checks that field rules cannot express).
 * It names the node's position when known, then the field.
 */
export function prepareError(
  where: { readonly id: string; readonly pos?: { file: string; line: number; column: number } },
  field: string,
  message: string,
): ConvergeError {
  const prefix = where.pos ? `${where.pos.file}:${where.pos.line}:${where.pos.column}: ` : '';
  return new ConvergeError('CNV_ERR_FIELD_INVALID', `${prefix}${where.id}: ${message}`, {
    id: where.id,
    field,
    ...(where.pos ? { file: where.pos.file, line: where.pos.line, column: where.pos.column } : {}),
  });
}
