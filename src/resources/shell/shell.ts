/**
 * Running scripts for the shell resources. A script is written to the interpreter's STDIN (argv is
 * `interpreter flags...`), as the original did, so scripts never touch the command line or disk.
 * Each run gets its own session and process group, ended with the script (process-group.ts).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_MAX_TASK_OUTPUT_KIB } from '../../defaults.js';
import { fsErrorText } from '../status.js';
import { DEFAULT_INTERPRETER, cancelled, runProcess, type CommandResult } from './script-process.js';

export type { CommandResult, Leftovers } from './script-process.js';

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
  /** Bytes kept of stdout and, separately, of stderr: half from the start, half from the end. */
  readonly outputBytes?: number | undefined;
}

/**
 * Runs `script` and resolves with its exit status and output. A missing `dir` resolves as exit 1 with
 * the error text on stdout (the original's behaviour). Rejects with CNV_ERR_RESOURCE_FAILED on timeout
 * (`execution timed out`, details.leftovers says what was killed) or when the interpreter cannot
 * start, and with CNV_ERR_JOB_CANCELLED when `signal` aborts.
 *
 * However the script ends, what is left of its process group is then ended too (SIGTERM, SIGKILL
 * after a grace; process-group.ts), so a `cmd &` neither outlives the node nor holds it open by
 * keeping the output pipes. Each of stdout and stderr keeps at most `outputBytes` (head and tail).
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
  const outputBytes = command.outputBytes ?? DEFAULT_MAX_TASK_OUTPUT_KIB * 1024;

  return runProcess({ interpreter, flags: command.flags, workdir, env, outputBytes, timeoutMs: command.timeoutMs, script }, signal);
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
