/**
 * Running scripts for the shell resources. A script is written to the interpreter's STDIN (argv is
 * `interpreter flags...`), as the original did, so scripts never touch the command line or disk.
 * Each run gets its own session and process group, ended with the script (process-group.ts).
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { constants as osConstants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_MAX_TASK_OUTPUT_KIB } from '../../defaults.js';
import { ConvergeError } from '../../errors.js';
import { fsErrorText } from '../status.js';
import { OutputCapture } from './output-capture.js';
import { KILL_GRACE_MS, endGroup, leftovers } from './process-group.js';

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
  /** Bytes kept of stdout and, separately, of stderr: half from the start, half from the end. */
  readonly outputBytes?: number | undefined;
}

/** What was left of a script's process group when the script ended, and what was done about it. */
export interface Leftovers {
  /** Processes killed (SIGTERM, then SIGKILL); undefined when they could not be counted (no /proc). */
  readonly killed: number | undefined;
  /** Why: the script ended and left them running, or it was stopped at its timeout. */
  readonly reason: 'ended' | 'timeout';
  /**
   * A process outside the group (one that called setsid) still held the output pipes open when the
   * group was gone; its output was not waited for.
   */
  readonly outputHeld: boolean;
}

/** The outcome of one run, the original's CommandResults. */
export interface CommandResult {
  readonly exitStatus: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdin: string;
  /** Set when processes had to be killed or the output was held open after the script ended. */
  readonly leftovers?: Leftovers;
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
 * Milliseconds the wrapper's `cat`s get, once the interpreter has reported its exit status, to pass
 * on what is still in their pipes and exit; a wrapper still there after that is held open by leftovers.
 */
const WRAPPER_SETTLE_MS = 100;
/** Longest wait for a script's output pipes to close while its output is still arriving. */
const OUTPUT_DRAIN_CAP_MS = 10_000;

/**
 * Waits for the pipes of an exited script to close: true when they did, false when something still holds
 * them (a process that left the group) with nothing arriving for KILL_GRACE_MS. On a busy event loop a
 * timer runs before the I/O of the same turn, so the grace alone could cut output that was already
 * waiting in the pipe: after it, one I/O phase runs before deciding, and output still flowing extends it.
 */
async function pipesClose(isClosed: () => boolean, closed: Promise<void>, received: () => number): Promise<boolean> {
  const deadline = Date.now() + OUTPUT_DRAIN_CAP_MS;
  for (;;) {
    const before = received();
    if (await Promise.race([closed.then(() => true), sleep(KILL_GRACE_MS, false)])) return true;
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (isClosed()) return true;
    if (received() === before || Date.now() > deadline) return false;
  }
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
    const stdout = new OutputCapture(outputBytes);
    const stderr = new OutputCapture(outputBytes);
    const statusPipe = child.stdio[3] as (NodeJS.ReadableStream & { destroy(): void }) | null | undefined;
    let status = '';
    let ending = false;
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let timer: NodeJS.Timeout | undefined;
    const exitSeen = new Promise<void>((done) => child.once('exit', () => done()));
    let isClosed = false;
    const closed = new Promise<void>((done) =>
      child.once('close', () => {
        isClosed = true;
        done();
      }),
    );
    let received = 0;

    const destroyStreams = (): void => {
      child.stdout.destroy();
      child.stderr.destroy();
      statusPipe?.destroy();
    };
    const exitStatus = (): number => {
      const reported = status.trim();
      if (wrapped && /^\d+$/.test(reported)) return Number(reported);
      return exited?.code ?? 128 + signalNumber(exited?.signal ?? null);
    };
    const beginEnd = (): boolean => {
      if (ending) return false;
      ending = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    // The script is over (its interpreter exited): end its leftovers, then take what it printed.
    const scriptEnded = async (): Promise<void> => {
      if (!beginEnd()) return;
      let wrapper: number | undefined;
      if (wrapped && exited === undefined) {
        const settled = await Promise.race([exitSeen.then(() => true), sleep(WRAPPER_SETTLE_MS, false)]);
        if (!settled) wrapper = child.pid;
      }
      const pgid = child.pid!;
      const killed = await leftovers(pgid, wrapper);
      if (killed !== 0) await endGroup(pgid);
      const outputHeld = !(await pipesClose(() => isClosed, closed, () => received));
      if (outputHeld) destroyStreams();
      const result: CommandResult = {
        exitStatus: exitStatus(),
        stdout: stdout.text(),
        stderr: stderr.text(),
        stdin: script,
      };
      resolve(killed === 0 && !outputHeld ? result : { ...result, leftovers: { killed, reason: 'ended', outputHeld } });
    };
    // Stopped from outside: every process of the group goes, the interpreter included.
    const stop = async (error: ConvergeError): Promise<void> => {
      if (!beginEnd()) return;
      const killed = child.pid === undefined ? 0 : await leftovers(child.pid);
      if (child.pid !== undefined) await endGroup(child.pid);
      destroyStreams();
      if (error.code === 'CNV_ERR_RESOURCE_FAILED') {
        const report: Leftovers = { killed, reason: 'timeout', outputHeld: false };
        error = new ConvergeError(error.code, error.message, { leftovers: report });
      }
      reject(error);
    };
    function onAbort(): void {
      void stop(cancelled());
    }

    signal?.addEventListener('abort', onAbort, { once: true });
    if (command.timeoutMs !== undefined && command.timeoutMs > 0) {
      timer = setTimeout(() => void stop(new ConvergeError('CNV_ERR_RESOURCE_FAILED', TIMED_OUT)), command.timeoutMs);
    }

    child.stdout.on('data', (chunk: Buffer) => {
      received += 1;
      stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      received += 1;
      stderr.push(chunk);
    });
    statusPipe?.on('data', (chunk: Buffer) => {
      // The wrapper writes one short line; anything longer is not ours.
      if (status.length < 64) status += chunk.toString('latin1');
      if (status.includes('\n')) void scriptEnded();
    });
    // An interpreter that exits without reading its input makes the write fail with EPIPE; that is
    // the script's business and shows in its exit status, not an error of ours.
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => {
      if (!beginEnd()) return;
      destroyStreams();
      reject(new ConvergeError('CNV_ERR_RESOURCE_FAILED', fsErrorText(error, 'fork/exec', interpreter), { interpreter }));
    });
    child.on('exit', (code, signalName) => {
      exited = { code, signal: signalName };
      void scriptEnded();
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
