/** Runs the real `bin/converge` in a directory and collects its output (e2e tests only). */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** The repository root, from build/test/e2e/. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = path.join(ROOT, 'bin/converge');
export const FIXTURES = path.join(ROOT, 'test/fixtures/cli');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Env for children: no colour hints and no CONVERGE_* leaking in from the caller. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CONVERGE_') && k !== 'NO_COLOR') env[k] = v;
  return { ...env, ...extra };
}

/** A CLI process still running: its result once it exits, and a way to wait for a line on its stderr. */
export interface RunningCli {
  readonly done: Promise<CliResult>;
  /** Resolves with the first match of `pattern` in stderr so far or to come; rejects if the process exits first. */
  stderrMatch(pattern: RegExp): Promise<RegExpExecArray>;
}

/** Starts the CLI; `input`, when given, is its stdin (otherwise stdin is closed). */
export function spawnCli(args: readonly string[], cwd: string, env: Record<string, string> = {}, input?: string): RunningCli {
  const child = spawn(BIN, args, { cwd, env: cleanEnv(env), stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (input !== undefined) child.stdin!.end(input);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (d: Buffer) => out.push(d));
  child.stderr!.on('data', (d: Buffer) => err.push(d));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
  const stderrMatch = (pattern: RegExp): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const match = pattern.exec(Buffer.concat(err).toString('utf8'));
        if (match === null) return false;
        child.stderr!.off('data', check);
        resolve(match);
        return true;
      };
      if (check()) return;
      child.stderr!.on('data', check);
      void done.then((result) => {
        if (!check()) reject(new Error(`exited ${result.code} before stderr matched ${pattern}: ${result.stderr}`));
      });
    });
  return { done, stderrMatch };
}

/** Runs the CLI; `input`, when given, is its stdin (otherwise stdin is closed). */
export function runCli(args: readonly string[], cwd: string, env: Record<string, string> = {}, input?: string): Promise<CliResult> {
  return spawnCli(args, cwd, env, input).done;
}

/** A fresh directory holding copies of the named fixtures; removed when the test ends. */
export function scratchDir(t: { teardown(fn: () => void): void }, ...fixtures: string[]): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'converge-cli-')));
  for (const name of fixtures) fs.copyFileSync(path.join(FIXTURES, name), path.join(dir, name));
  // Retries: a server process of the test may still be writing its state there while it exits.
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }));
  return dir;
}

/** Flags that keep parallel tests off each other's ports and colour-free. */
export const LOCAL = ['--local', '--local-addr', '127.0.0.1:0', '--nocolor'] as const;

/** A loopback port that was free a moment ago (bound, then released): nothing listens on it now. */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
/** Waits for a file a module's task creates (bounded: the test fails rather than hangs). */
export async function waitForFile(file: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} did not appear within ${timeoutMs} ms`);
    await sleep(20);
  }
}

