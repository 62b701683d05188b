/**
 * One script's interpreter process, from spawn to the end of its process group: output captured,
 * exit status read, leftovers ended, and a timeout or a cancel stopping the whole group.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConvergeError } from '../../errors.js';
import { fsErrorText } from '../status.js';
import { OutputCapture } from './output-capture.js';
import { KILL_GRACE_MS, endGroup, leftovers } from './process-group.js';

export const DEFAULT_INTERPRETER = '/bin/sh';

/** The error text the original gave a script that outran its `timeout`. */
export const TIMED_OUT = 'execution timed out';

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

/** A script ready to start: everything already resolved against the module's defaults. */
export interface ScriptLaunch {
  readonly interpreter: string;
  readonly flags: readonly string[];
  readonly workdir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly outputBytes: number;
  readonly timeoutMs?: number | undefined;
  readonly script: string;
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

/** Starts `launch` and settles when the script and what it left behind are over. */
export function runProcess(launch: ScriptLaunch, signal?: AbortSignal): Promise<CommandResult> {
  return new Promise<CommandResult>((resolve, reject) => {
    new ScriptProcess(launch, resolve, reject, signal).start();
  });
}

export function cancelled(): ConvergeError {
  return new ConvergeError('CNV_ERR_JOB_CANCELLED', 'cancelled');
}

class ScriptProcess {
  readonly #launch: ScriptLaunch;
  readonly #resolve: (result: CommandResult) => void;
  readonly #reject: (error: ConvergeError) => void;
  readonly #signal: AbortSignal | undefined;
  readonly #wrapped: boolean;
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #statusPipe: (NodeJS.ReadableStream & { destroy(): void }) | null | undefined;
  readonly #stdout: OutputCapture;
  readonly #stderr: OutputCapture;
  readonly #exitSeen: Promise<void>;
  readonly #closed: Promise<void>;
  #isClosed = false;
  #status = '';
  #ending = false;
  #exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #received = 0;
  readonly #onAbort = (): void => void this.#stop(cancelled());

  constructor(
    launch: ScriptLaunch,
    resolve: (result: CommandResult) => void,
    reject: (error: ConvergeError) => void,
    signal: AbortSignal | undefined,
  ) {
    this.#launch = launch;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#signal = signal;
    this.#wrapped = needsRealPipes(launch.script);
    const options = { cwd: launch.workdir, env: launch.env, detached: true };
    this.#child = (
      this.#wrapped
        ? spawn(DEFAULT_INTERPRETER, ['-c', PIPE_WRAPPER, launch.interpreter, ...launch.flags], { ...options, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] })
        : spawn(launch.interpreter, [...launch.flags], { ...options, stdio: ['pipe', 'pipe', 'pipe'] })
    ) as ChildProcessWithoutNullStreams;
    this.#statusPipe = this.#child.stdio[3] as (NodeJS.ReadableStream & { destroy(): void }) | null | undefined;
    this.#stdout = new OutputCapture(launch.outputBytes);
    this.#stderr = new OutputCapture(launch.outputBytes);
    this.#exitSeen = new Promise<void>((done) => this.#child.once('exit', () => done()));
    this.#closed = new Promise<void>((done) =>
      this.#child.once('close', () => {
        this.#isClosed = true;
        done();
      }),
    );
  }

  start(): void {
    const child = this.#child;
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
    const { timeoutMs } = this.#launch;
    if (timeoutMs !== undefined && timeoutMs > 0) {
      this.#timer = setTimeout(() => void this.#stop(new ConvergeError('CNV_ERR_RESOURCE_FAILED', TIMED_OUT)), timeoutMs);
    }
    child.stdout.on('data', (chunk: Buffer) => {
      this.#received += 1;
      this.#stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.#received += 1;
      this.#stderr.push(chunk);
    });
    this.#statusPipe?.on('data', (chunk: Buffer) => {
      // The wrapper writes one short line; anything longer is not ours.
      if (this.#status.length < 64) this.#status += chunk.toString('latin1');
      if (this.#status.includes('\n')) void this.#scriptEnded();
    });
    // An interpreter that exits without reading its input makes the write fail with EPIPE; that is
    // the script's business and shows in its exit status, not an error of ours.
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => {
      if (!this.#beginEnd()) return;
      this.#destroyStreams();
      const { interpreter } = this.#launch;
      this.#reject(new ConvergeError('CNV_ERR_RESOURCE_FAILED', fsErrorText(error, 'fork/exec', interpreter), { interpreter }));
    });
    child.on('exit', (code, signalName) => {
      this.#exited = { code, signal: signalName };
      void this.#scriptEnded();
    });
    child.stdin.end(this.#launch.script);
  }

  #destroyStreams(): void {
    this.#child.stdout.destroy();
    this.#child.stderr.destroy();
    this.#statusPipe?.destroy();
  }

  #exitStatus(): number {
    const reported = this.#status.trim();
    if (this.#wrapped && /^\d+$/.test(reported)) return Number(reported);
    return this.#exited?.code ?? 128 + signalNumber(this.#exited?.signal ?? null);
  }

  /** False when the run is already ending, so each way out happens once. */
  #beginEnd(): boolean {
    if (this.#ending) return false;
    this.#ending = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#signal?.removeEventListener('abort', this.#onAbort);
    return true;
  }

  /** The script is over (its interpreter exited): end its leftovers, then take what it printed. */
  async #scriptEnded(): Promise<void> {
    if (!this.#beginEnd()) return;
    let wrapper: number | undefined;
    if (this.#wrapped && this.#exited === undefined) {
      const settled = await Promise.race([this.#exitSeen.then(() => true), sleep(WRAPPER_SETTLE_MS, false)]);
      if (!settled) wrapper = this.#child.pid;
    }
    const pgid = this.#child.pid!;
    const killed = await leftovers(pgid, wrapper);
    if (killed !== 0) await endGroup(pgid);
    const outputHeld = !(await pipesClose(() => this.#isClosed, this.#closed, () => this.#received));
    if (outputHeld) this.#destroyStreams();
    const result: CommandResult = {
      exitStatus: this.#exitStatus(),
      stdout: this.#stdout.text(),
      stderr: this.#stderr.text(),
      stdin: this.#launch.script,
    };
    this.#resolve(killed === 0 && !outputHeld ? result : { ...result, leftovers: { killed, reason: 'ended', outputHeld } });
  }

  /** Stopped from outside: every process of the group goes, the interpreter included. */
  async #stop(error: ConvergeError): Promise<void> {
    if (!this.#beginEnd()) return;
    const pid = this.#child.pid;
    const killed = pid === undefined ? 0 : await leftovers(pid);
    if (pid !== undefined) await endGroup(pid);
    this.#destroyStreams();
    if (error.code === 'CNV_ERR_RESOURCE_FAILED') {
      const report: Leftovers = { killed, reason: 'timeout', outputHeld: false };
      error = new ConvergeError(error.code, error.message, { leftovers: report });
    }
    this.#reject(error);
  }
}

function signalNumber(name: NodeJS.Signals | null): number {
  if (name === null) return 0;
  return (osConstants.signals as Record<string, number>)[name] ?? 0;
}
