/**
 * Side by side with the original Go server, driven by the original's own client, one process per
 * client: C concurrent `converge plan` runs of a 100-node module against (a) the original server and
 * (b) ours (`bin/converge server`, default settings, its own process), and C concurrent `converge ping`
 * runs against ours, which is what starting C client processes costs by itself. Then 1,000 concurrent
 * plans against ours. Rounds alternate the three, and each figure is the median round, with the load
 * average after each round beside it. Prints JSON lines; reports our server's peak RSS (VmHWM).
 *
 * Needs the original binary: CONVERGE_ORIGINAL_BIN=/path/to/converge. Without it, prints a skip line.
 * Options: --clients C (default 200), --rounds N (default 3; medians reported), --big N (default 1000; 0 skips).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const TOKEN = 'side-by-side-token';
const OURS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/converge');

function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index < 0 ? undefined : process.argv[index + 1];
}

function emit(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

function startServer(command: string, args: string[], cwd: string): ChildProcess {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.resume();
  return child;
}

/** Runs `count` client processes at once; resolves with the wall time and the failures. */
async function burst(bin: string, args: string[], count: number): Promise<{ wallMs: number; failures: number; sample: string }> {
  const started = performance.now();
  let sample = '';
  const codes = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<number>((resolve) => {
          const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
          let err = '';
          child.stderr!.on('data', (chunk: Buffer) => {
            if (err.length < 2000) err += chunk.toString();
          });
          child.on('error', () => resolve(-1));
          child.on('close', (code) => {
            if (code !== 0 && sample === '') sample = err.slice(-400);
            resolve(code ?? -1);
          });
        }),
    ),
  );
  return { wallMs: performance.now() - started, failures: codes.filter((c) => c !== 0).length, sample };
}

function peakRssMiB(pid: number | undefined): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return kb / 1024;
  } catch {
    return NaN;
  }
}

async function main(): Promise<void> {
  const original = process.env['CONVERGE_ORIGINAL_BIN'];
  if (original === undefined || original === '') {
    emit({ name: 'original.skipped', value: 0, unit: '', reason: 'set CONVERGE_ORIGINAL_BIN to the original converge binary' });
    return;
  }
  const clients = Number(argValue('--clients') ?? '200');
  const rounds = Number(argValue('--rounds') ?? '3');
  const big = Number(argValue('--big') ?? '1000');
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'converge-side-'));
  const blocks = [];
  for (let i = 0; i < 100; i += 1) blocks.push(`file.content "f${i}" {\n  destination = "${cwd}/out/f${i}.txt"\n  content = "x"\n}\n`);
  const module = path.join(cwd, 'module.hcl');
  fs.writeFileSync(module, blocks.join('\n'));
  const [origPort, ourPort] = [await freePort(), await freePort()];
  const origServer = startServer(original, ['server', '--rpc-addr', `127.0.0.1:${origPort}`, '--rpc-token', TOKEN, '--root', cwd], cwd);
  const ourServer = startServer(OURS, ['server', '--rpc-addr', `127.0.0.1:${ourPort}`, '--rpc-token', TOKEN, '--state-dir', path.join(cwd, '.state')], cwd);
  try {
    await Promise.all([waitForPort(origPort), waitForPort(ourPort)]);
    const plan = (port: number): string[] => ['plan', '--log-level', 'error', '--rpc-addr', `127.0.0.1:${port}`, '--rpc-token', TOKEN, module];
    const ping = (port: number): string[] => ['ping', '--log-level', 'error', '--rpc-addr', `127.0.0.1:${port}`, '--rpc-token', TOKEN];
    // Warm both servers (our worker threads load the engine on first use).
    await burst(original, plan(origPort), 4);
    await burst(original, plan(ourPort), 4);
    const loads: number[] = [];
    const runs: Record<string, Array<{ wallMs: number; failures: number; sample: string }>> = { original: [], ours: [], pings: [] };
    for (let round = 0; round < rounds; round += 1) {
      runs['original']!.push(await burst(original, plan(origPort), clients));
      runs['ours']!.push(await burst(original, plan(ourPort), clients));
      runs['pings']!.push(await burst(original, ping(ourPort), clients));
      loads.push(os.loadavg()[0]!);
    }
    // The median round: on a shared machine one lucky round says little.
    const median = (name: string): { wallMs: number; failures: number; sample: string } => {
      const sorted = [...runs[name]!].sort((a, b) => a.wallMs - b.wallMs);
      return sorted[Math.floor((sorted.length - 1) / 2)]!;
    };
    const load = loads.map((l) => Math.round(l * 10) / 10);
    for (const name of ['original', 'ours', 'pings']) {
      const r = median(name);
      const failures = runs[name]!.reduce((n, x) => n + x.failures, 0);
      emit({ name: `original.${name}.c${clients}`, value: r.wallMs, unit: 'ms', clients, rounds, failures, all: runs[name]!.map((x) => Math.round(x.wallMs)), load, ...(r.sample === '' ? {} : { sample: r.sample }) });
    }
    emit({ name: `original.speedup.c${clients}`, value: median('original').wallMs / median('ours').wallMs, unit: 'x', goal: '>= 4' });
    emit({ name: `original.ours_over_pings.c${clients}`, value: median('ours').wallMs / median('pings').wallMs, unit: 'x', goal: '<= 1.5' });
    if (big > 0) {
      const r = await burst(original, plan(ourPort), big);
      emit({ name: `original.ours.c${big}`, value: r.wallMs, unit: 'ms', clients: big, failures: r.failures, load: os.loadavg()[0], ...(r.sample === '' ? {} : { sample: r.sample }) });
    }
    emit({ name: 'original.ours.server_rss_peak', value: peakRssMiB(ourServer.pid), unit: 'MiB', goal: '<= 1024' });
  } finally {
    origServer.kill('SIGKILL');
    ourServer.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    ourServer.kill('SIGKILL');
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

await main();
