/**
 * Front-door load: C concurrent gRPC clients (C = 1, 50, 200), each streaming a plan of a 100-node
 * module. The server runs in this process; the clients run in a child process (this same file with
 * `--client`), so client and server do not share an event loop. Prints JSON lines
 * {name, value, unit, ...}: plans/s, p50/p99 time to first node event (and to the first message of any
 * kind), p99 total time, and the server's peak RSS. Then the per-event cost of the whole path
 * (worker -> front door -> client) against an in-process walk of the same graph.
 *
 * Options: --rounds N (rounds per C, default 2), --only C, --max-running N (the queue's running limit).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ConvergeClient } from '../src/frontdoor/client.js';
import { SILENT_LOGGER } from '../src/frontdoor/logger.js';
import { startServer } from '../src/frontdoor/server.js';
import { runJob } from '../src/graph/index.js';
import type { JobSpec } from '../src/protocol.js';

const NODES = 100;
const TOKEN = 'bench-token';
const SELF = fileURLToPath(import.meta.url);

function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index < 0 ? undefined : process.argv[index + 1];
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

function moduleText(): string {
  const blocks = [];
  for (let i = 0; i < NODES; i += 1) {
    blocks.push(`file.content "f${i}" {\n  destination = "out/f${i}.txt"\n  content = "x"\n}\n`);
  }
  return blocks.join('\n');
}

interface ClientSample {
  readonly firstAnyMs: number;
  readonly firstNodeMs: number;
  readonly totalMs: number;
  readonly events: number;
}

/** Child process: C clients, one plan each, all started together. */
async function clientMain(): Promise<void> {
  const port = Number(argValue('--port'));
  const count = Number(argValue('--clients'));
  const sequential = Number(argValue('--sequential') ?? '0');
  const clients = Array.from({ length: count }, () => new ConvergeClient({ address: `127.0.0.1:${port}`, token: TOKEN, ownConnection: true }));
  // Connect first, so the numbers measure plans rather than TCP set-up.
  await Promise.all(clients.map((c) => c.ping()));
  const one = async (client: ConvergeClient): Promise<ClientSample> => {
    const started = performance.now();
    let firstAny = NaN;
    let firstNode = NaN;
    let events = 0;
    for await (const item of client.plan({ location: 'bench.hcl' })) {
      const now = performance.now() - started;
      if (Number.isNaN(firstAny)) firstAny = now;
      if (item.type === 'node') {
        if (Number.isNaN(firstNode)) firstNode = now;
        events += 1;
      }
    }
    return { firstAnyMs: firstAny, firstNodeMs: firstNode, totalMs: performance.now() - started, events };
  };
  const wall = performance.now();
  let samples: ClientSample[] = [];
  let failures = 0;
  if (sequential > 0) {
    for (let i = 0; i < sequential; i += 1) samples.push(await one(clients[0]!));
  } else {
    const settled = await Promise.allSettled(clients.map(one));
    samples = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    failures = settled.length - samples.length;
  }
  const wallMs = performance.now() - wall;
  for (const c of clients) c.close();
  process.stdout.write(`${JSON.stringify({ samples, failures, wallMs })}\n`);
}

async function runClients(port: number, args: string[]): Promise<{ samples: ClientSample[]; failures: number; wallMs: number }> {
  const child = spawn(process.execPath, [SELF, '--client', '--port', String(port), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`client process exited with ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as { samples: ClientSample[]; failures: number; wallMs: number };
}

function emit(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

/** In-process walk of the same module: the engine alone, no worker, no transport. */
async function inProcessPerEventUs(cwd: string, plans: number): Promise<number> {
  const job: JobSpec = { kind: 'plan', location: 'bench.hcl', params: {}, cwd, parallelism: 4 };
  const sink = { edges: () => undefined, event: () => undefined };
  for (let i = 0; i < 3; i += 1) await runJob(job, sink, new AbortController().signal);
  let events = 0;
  const counting = { edges: () => undefined, event: () => void (events += 1) };
  const started = performance.now();
  for (let i = 0; i < plans; i += 1) await runJob(job, counting, new AbortController().signal);
  return ((performance.now() - started) * 1000) / events;
}

async function serverMain(): Promise<void> {
  const rounds = Number(argValue('--rounds') ?? '2');
  const only = argValue('--only');
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'converge-bench-fd-'));
  fs.writeFileSync(path.join(cwd, 'bench.hcl'), moduleText());
  // Room for every client: the benchmark measures throughput and latency, not refusals.
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    cwd,
    logger: SILENT_LOGGER,
    queue: { maxWaiting: 512, ...(argValue('--max-running') === undefined ? {} : { maxRunning: Number(argValue('--max-running')) }) },
  });
  try {
    // Warm the worker threads.
    await runClients(server.port, ['--clients', '1', '--sequential', '3']);
    for (const clients of [1, 50, 200]) {
      if (only !== undefined && Number(only) !== clients) continue;
      const all: ClientSample[] = [];
      let failures = 0;
      let wallMs = 0;
      let peakRss = process.memoryUsage.rss();
      const sampler = setInterval(() => {
        peakRss = Math.max(peakRss, process.memoryUsage.rss());
      }, 50);
      for (let round = 0; round < rounds; round += 1) {
        const args = clients === 1 ? ['--clients', '1', '--sequential', '20'] : ['--clients', String(clients)];
        const result = await runClients(server.port, args);
        all.push(...result.samples);
        failures += result.failures;
        wallMs += result.wallMs;
      }
      clearInterval(sampler);
      const base = { clients, nodes: NODES, plans: all.length, failures };
      emit({ name: `frontdoor.plans_per_s.c${clients}`, value: (all.length / wallMs) * 1000, unit: 'plans/s', ...base });
      emit({ name: `frontdoor.first_event_p50.c${clients}`, value: percentile(all.map((s) => s.firstNodeMs), 50), unit: 'ms', ...base });
      emit({ name: `frontdoor.first_event_p99.c${clients}`, value: percentile(all.map((s) => s.firstNodeMs), 99), unit: 'ms', ...base });
      emit({ name: `frontdoor.first_message_p99.c${clients}`, value: percentile(all.map((s) => s.firstAnyMs), 99), unit: 'ms', ...base });
      emit({ name: `frontdoor.total_p99.c${clients}`, value: percentile(all.map((s) => s.totalMs), 99), unit: 'ms', ...base });
      emit({ name: `frontdoor.server_rss_peak.c${clients}`, value: peakRss / (1024 * 1024), unit: 'MiB', ...base });
    }
    if (only === undefined || only === 'overhead') {
      const direct = await inProcessPerEventUs(cwd, 20);
      const viaServer = await runClients(server.port, ['--clients', '1', '--sequential', '20']);
      const events = viaServer.samples.reduce((n, s) => n + s.events, 0);
      const fullPath = (viaServer.samples.reduce((n, s) => n + s.totalMs, 0) * 1000) / events;
      emit({ name: 'frontdoor.per_event.in_process', value: direct, unit: 'us/event', nodes: NODES });
      emit({ name: 'frontdoor.per_event.full_path', value: fullPath, unit: 'us/event', nodes: NODES });
      emit({ name: 'frontdoor.per_event.overhead', value: fullPath - direct, unit: 'us/event', nodes: NODES });
    }
  } finally {
    await server.close();
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

if (process.argv.includes('--client')) await clientMain();
else await serverMain();
