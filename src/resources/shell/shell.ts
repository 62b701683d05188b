/**
 * Running scripts for the shell resources. A script is written to the interpreter's STDIN (argv is
 * `interpreter flags...`), as the original did, so scripts never touch the command line or disk.
 * Each run gets its own process group so a timeout or cancellation kills the script's children too.
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { constants as osConstants } from 'node:os';
import { ConvergeError } from '../../errors.js';
import { fsErrorText } from '../status.js';

export const DEFAULT_INTERPRETER = '/bin/sh';
export const DEFAULT_CHECK_FLAGS: readonly string[] = ['-n'];

/** How to run one script. */
export interface ShellCommand {
  /** Empty means /bin/sh. */
  readonly interpreter: string;
  readonly flags: readonly string[];
  /** Milliseconds; undefined means no limit. */
  readonly timeoutMs?: number | undefined;
  /** Working directory as the module wrote it (shown in messages); relative to `cwd`. */
  readonly dir?: string | undefined;
  /** Base for relative `dir` and the default working directory. */
  readonly cwd: string;
  /** Merged over the process environment. */
  readonly env?: Readonly<Record<string, string>> | undefined;
}

/** The outcome of one run, the original's CommandResults. */
export interface CommandResult {
  readonly exitStatus: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdin: string;
}

/**
 * Node gives a child sockets, not pipes, for its stdio, and Linux refuses to open a socket through
 * /dev/stdout, /dev/stderr or /proc/self/fd (ENXIO), which breaks scripts like `... | tee /dev/stderr`
 * that work under the original. Scripts that name those paths run behind this small wrapper, which
 * gives the interpreter real pipes (drained by `cat`) and reports its exit status on fd 3. Other
 * scripts are spawned directly, so the common case pays for no extra processes.
 */
const PIPE_WRAPPER =
  '{ { "$0" "$@" 3>&- 5>&-; echo $? >&3; } 2>&1 1>&5 5>&- | cat >&2; } 5>&1 | cat';

function needsRealPipes(script: string): boolean {
  return /\/dev\/(stdout|stderr|fd\/)|\/proc\/self\/fd/.test(script);
}

/** The error text the original gave a script that outran its `timeout`. */
export const TIMED_OUT = 'execution timed out';

/**
 * Runs `script` and resolves with its exit status and output. A missing `dir` resolves as exit 1 with
 * the error text on stdout (the original's behaviour). Rejects with CNV_ERR_RESOURCE_FAILED on timeout
 * (`execution timed out`) or when the interpreter cannot start, and with CNV_ERR_JOB_CANCELLED when
 * `signal` aborts; in both cases the whole process group is killed first.
 */
export async function runScript(command: ShellCommand, script: string, signal?: AbortSignal): Promise<CommandResult> {
  if (signal?.aborted === true) throw cancelled();
  let workdir = command.cwd;
  if (command.dir !== undefined && command.dir !== '') {
    workdir = path.resolve(command.cwd, command.dir);
    const problem = await dirProblem(workdir, command.dir);
    if (problem !== undefined) return { exitStatus: 1, stdout: problem, stderr: '', stdin: script };
  }
  const interpreter = command.interpreter === '' ? DEFAULT_INTERPRETER : command.interpreter;
  const env = command.env === undefined ? process.env : { ...process.env, ...command.env };

  const wrapped = needsRealPipes(script);
  return new Promise<CommandResult>((resolve, reject) => {
    const child = wrapped
      ? spawn(DEFAULT_INTERPRETER, ['-c', PIPE_WRAPPER, interpreter, ...command.flags], {
          cwd: workdir,
          env,
          detached: true,
          stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
        })
      : spawn(interpreter, [...command.flags], { cwd: workdir, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const status: Buffer[] = [];
    (child.stdio[3] as NodeJS.ReadableStream | null | undefined)?.on('data', (chunk: Buffer) => status.push(chunk));
    let settled = false;
    let timer: NodeJS.Timeout | undefined;

    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      child.stdout.destroy();
      child.stderr.destroy();
      (child.stdio[3] as NodeJS.ReadableStream & { destroy?: () => void } | null | undefined)?.destroy?.();
    };
    const onAbort = (): void => {
      killGroup();
      finish(() => reject(cancelled()));
    };

    signal?.addEventListener('abort', onAbort, { once: true });
    if (command.timeoutMs !== undefined && command.timeoutMs > 0) {
      timer = setTimeout(() => {
        killGroup();
        finish(() => reject(new ConvergeError('CNV_ERR_RESOURCE_FAILED', TIMED_OUT)));
      }, command.timeoutMs);
    }

    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    // An interpreter that exits without reading its input makes the write fail with EPIPE; that is
    // the script's business and shows in its exit status, not an error of ours.
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => {
      finish(() =>
        reject(new ConvergeError('CNV_ERR_RESOURCE_FAILED', fsErrorText(error, 'fork/exec', interpreter), { interpreter })),
      );
    });
    child.on('close', (code, signalName) => {
      const reported = Buffer.concat(status).toString('utf8').trim();
      const wrappedCode = wrapped && /^\d+$/.test(reported) ? Number(reported) : undefined;
      finish(() =>
        resolve({
          exitStatus: wrappedCode ?? code ?? 128 + signalNumber(signalName),
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
          stdin: script,
        }),
      );
    });
    child.stdin.end(script);
  });
}

/**
 * The prepare-time syntax check: `interpreter check_flags` with the script on stdin. Returns the
 * error text, or undefined when the script is fine or the check is skipped (an interpreter without
 * check_flags). check_flags without an interpreter is an error.
 */
export function syntaxProblem(
  interpreter: string,
  checkFlags: readonly string[],
  script: string,
  cwd: string,
): Promise<string | undefined> {
  let flags = checkFlags;
  if (interpreter === '') {
    if (checkFlags.length > 0) return Promise.resolve('custom syntax check_flags given without an interpreter');
    flags = DEFAULT_CHECK_FLAGS;
  } else if (checkFlags.length === 0) {
    return Promise.resolve(undefined);
  }
  // Generated modules repeat the same script many times; its syntax does not change between nodes,
  // so one interpreter run answers for all of them (and for concurrent prepares of the same text).
  const key = JSON.stringify([interpreter, flags, script]);
  const known = SYNTAX_CACHE.get(key);
  if (known !== undefined) return known;
  const pending = runSyntaxCheck(interpreter === '' ? DEFAULT_INTERPRETER : interpreter, flags, script, cwd);
  if (SYNTAX_CACHE.size >= SYNTAX_CACHE_LIMIT) SYNTAX_CACHE.delete(SYNTAX_CACHE.keys().next().value as string);
  SYNTAX_CACHE.set(key, pending);
  return pending;
}

const SYNTAX_CACHE = new Map<string, Promise<string | undefined>>();
const SYNTAX_CACHE_LIMIT = 4096;

async function runSyntaxCheck(
  interpreter: string,
  flags: readonly string[],
  script: string,
  cwd: string,
): Promise<string | undefined> {
  let result: CommandResult;
  try {
    result = await runScript({ interpreter, flags, cwd }, script);
  } catch (error) {
    return `unable to start subprocess: ${(error as Error).message}`;
  }
  if (result.exitStatus === 0) return undefined;
  let output = '';
  if (result.stdout !== '') output += `Command Stdout:\n${result.stdout}`;
  if (result.stderr !== '') output += `Command Stderr:\n${result.stderr}`;
  return `syntax error: ${output}: exit status ${result.exitStatus}`;
}

async function dirProblem(absolute: string, shown: string): Promise<string | undefined> {
  try {
    const info = await stat(absolute);
    return info.isDirectory() ? undefined : `chdir ${shown}: not a directory`;
  } catch (error) {
    return fsErrorText(error, 'stat', shown);
  }
}

function signalNumber(name: NodeJS.Signals | null): number {
  if (name === null) return 0;
  return (osConstants.signals as Record<string, number>)[name] ?? 0;
}

function cancelled(): ConvergeError {
  return new ConvergeError('CNV_ERR_JOB_CANCELLED', 'cancelled');
}
