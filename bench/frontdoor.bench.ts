/**
 * Front-door load. The server runs in this process with its default settings; the clients run in a
 * child process (this file with `--client`, see frontdoor-clients.ts). Prints JSON lines
 * {name, value, unit, ...}:
 *   c1, c50, c200, c1000   C concurrent gRPC clients, one plan of a 100-node module each: plans/s,
 *                          p50/p99/max time to the first node event, p99 total, refusals, peak server
 *                          RSS, and the server's event-loop delay (p99, max) while they ran
 *   mixed                  200 plans + an apply every 100 ms + 10 HTTP clients that never read
 *   runaway                a normal plan alone, then beside 10 runaway plans; how long the runaways
 *                          take to stop once their clients leave
 *   overhead               per-event cost of the whole path against an in-process walk
 *   store                  200 plans with and without the run store (only with --only store)
 * Options: --rounds N (rounds per C, default 1), --only NAME (c200, mixed, runaway, overhead, ...).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../src/frontdoor/logger.js';
import { startServer, type RunningServer } from '../src/frontdoor/server.js';
import { runJob } from '../src/graph/index.js';
import type { JobSpec } from '../src/protocol.js';
import { clientMain, TOKEN, type ClientReport, type ClientSample } from './frontdoor-clients.js';

const NODES = 100;
const SELF = fileURLToPath(import.meta.url);

function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index < 0 ? undefined : process.argv[index + 1];
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

function fileModule(nodes: number, dir: string): string {
  const blocks = [];
  for (let i = 0; i < nodes; i += 1) blocks.push(`file.content "f${i}" {\n  destination = "${dir}/f${i}.txt"\n  content = "x"\n}\n`);
  return blocks.join('\n');
}

// Ten billion template steps: far past any reasonable render, and no memory.
const RUNAWAY = 'file.content "r" {\n  destination = "out/r.txt"\n  content = "{{range 100000}}{{range 100000}}{{end}}{{end}}"\n}\n';

function runClients(port: number, args: string[]): Promise<ClientReport> {
  const child = spawn(process.execPath, [SELF, '--client', '--port', String(port), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`client process exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1)!) as ClientReport);
    });
  });
}

function emit(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

/** Peak RSS and event-loop delay of this (the server's) process while `work` runs. */
async function measured<T>(work: () => Promise<T>): Promise<{ result: T; peakRssMiB: number; loopP99Ms: number; loopMaxMs: number }> {
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  try {
    const result = await work();
    return { result, peakRssMiB: peak / (1024 * 1024), loopP99Ms: loop.percentile(99) / 1e6, loopMaxMs: loop.max / 1e6 };
  } finally {
    loop.disable();
    clearInterval(sampler);
  }
}

function emitPlans(name: string, samples: ClientSample[], report: Omit<ClientReport, 'samples'>, m: { peakRssMiB: number; loopP99Ms: number; loopMaxMs: number }, base: Record<string, unknown>): void {
  const all = { ...base, plans: samples.length, failures: report.failures, refusals: report.refusals };
  const first = samples.map((s) => s.firstNodeMs);
  emit({ name: `frontdoor.plans_per_s.${name}`, value: (samples.length / report.wallMs) * 1000, unit: 'plans/s', ...all });
  emit({ name: `frontdoor.first_event_p50.${name}`, value: percentile(first, 50), unit: 'ms', ...all });
  emit({ name: `frontdoor.first_event_p99.${name}`, value: percentile(first, 99), unit: 'ms', ...all });
  emit({ name: `frontdoor.first_event_max.${name}`, value: Math.max(...first), unit: 'ms', ...all });
  emit({ name: `frontdoor.total_p99.${name}`, value: percentile(samples.map((s) => s.totalMs), 99), unit: 'ms', ...all });
  emit({ name: `frontdoor.refusals.${name}`, value: report.refusals, unit: 'jobs', ...all, errors: report.errors });
  emit({ name: `frontdoor.server_rss_peak.${name}`, value: m.peakRssMiB, unit: 'MiB', ...all });
  emit({ name: `frontdoor.event_loop_delay_p99.${name}`, value: m.loopP99Ms, unit: 'ms', ...all });
  emit({ name: `frontdoor.event_loop_delay_max.${name}`, value: m.loopMaxMs, unit: 'ms', ...all });
}

async function concurrentPlans(server: RunningServer, clients: number, rounds: number): Promise<void> {
  const samples: ClientSample[] = [];
  const totals = { failures: 0, refusals: 0, errors: [] as string[], wallMs: 0 };
  const m = await measured(async () => {
    for (let round = 0; round < rounds; round += 1) {
      const args = clients === 1 ? ['--clients', '1', '--sequential', '20'] : ['--clients', String(clients)];
      const report = await runClients(server.port, args);
      samples.push(...report.samples);
      totals.failures += report.failures;
      totals.refusals += report.refusals;
      totals.errors.push(...report.errors);
      totals.wallMs += report.wallMs;
    }
  });
  emitPlans(`c${clients}`, samples, totals, m, { clients, nodes: NODES });
}

/**
 * The run store's cost: 200 concurrent plans against a server without a store and one with a store in a
 * temp dir, in turn for `rounds` rounds, each its own server with default settings otherwise. Prints the
 * median plans/s of each, their ratio, and the store's cost per event (the difference in wall time over
 * the events sent).
 */
async function storeOnOff(cwd: string, logger: Logger, rounds: number): Promise<void> {
  const clients = 200;
  const rates: Record<'off' | 'on', number[]> = { off: [], on: [] };
  const wall: Record<'off' | 'on', number[]> = { off: [], on: [] };
  let events = 0;
  for (let round = 0; round < Math.max(1, rounds); round += 1) {
    for (const mode of ['off', 'on'] as const) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'converge-bench-store-'));
      const server = await startServer({ host: '127.0.0.1', port: 0, token: TOKEN, cwd, logger, ...(mode === 'on' ? { store: { dir } } : {}) });
      try {
        await runClients(server.port, ['--clients', '4']);
        const report = await runClients(server.port, ['--clients', String(clients)]);
        rates[mode].push((report.samples.length / report.wallMs) * 1000);
        wall[mode].push(report.wallMs);
        events = report.samples.reduce((n, s) => n + s.events, 0);
      } finally {
        await server.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  const median = (values: number[]): number => percentile(values, 50);
  const base = { clients, nodes: NODES, rounds: Math.max(1, rounds), load: os.loadavg()[0] };
  emit({ name: 'frontdoor.store.plans_per_s_off', value: median(rates.off), unit: 'plans/s', all: rates.off, ...base });
  emit({ name: 'frontdoor.store.plans_per_s_on', value: median(rates.on), unit: 'plans/s', all: rates.on, ...base });
  emit({ name: 'frontdoor.store.throughput_ratio', value: median(rates.on) / median(rates.off), unit: 'x', goal: '>= 0.9', ...base });
  emit({ name: 'frontdoor.store.cost_per_event', value: ((median(wall.on) - median(wall.off)) * 1000) / events, unit: 'us/event', events, ...base });
}

async function mixed(server: RunningServer): Promise<void> {
  const m = await measured(() =>
    Promise.all([
      runClients(server.port, ['--mode', 'stalled', '--clients', '10', '--location', 'large.hcl', '--hold', '6000']),
      runClients(server.port, ['--mode', 'applies', '--every', '100', '--for', '4000']),
      runClients(server.port, ['--clients', '200']),
    ]),
  );
  const [, applies, plans] = m.result;
  emitPlans('mixed', plans.samples, plans, m, { clients: 200, nodes: NODES, stalledReaders: 10 });
  const applyAll = { applies: applies.samples.length, failures: applies.failures, errors: applies.errors };
  emit({ name: 'frontdoor.mixed.applies_done', value: applies.samples.length, unit: 'applies', ...applyAll });
  emit({ name: 'frontdoor.mixed.apply_total_p99', value: percentile(applies.samples.map((s) => s.totalMs), 99), unit: 'ms', ...applyAll });
}

async function runaway(server: RunningServer, stops: number[]): Promise<void> {
  const alone = await runClients(server.port, ['--clients', '1', '--sequential', '5']);
  const usual = percentile(alone.samples.map((s) => s.totalMs), 50);
  const beside = await runClients(server.port, ['--mode', 'runaway', '--runaways', '10']);
  const cancelledAt = beside.extra?.['cancelledAtEpochMs'] ?? Date.now();
  const deadline = Date.now() + 30_000;
  while (stops.length < 10 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  const normal = beside.samples[0]?.totalMs ?? NaN;
  const base = { runaways: 10, failures: beside.failures, errors: beside.errors };
  emit({ name: 'frontdoor.runaway.normal_plan_alone', value: usual, unit: 'ms', ...base });
  emit({ name: 'frontdoor.runaway.normal_plan_beside_runaways', value: normal, unit: 'ms', ...base });
  emit({ name: 'frontdoor.runaway.delay', value: normal - usual, unit: 'ms', ...base, goal: '<= 1000' });
  emit({ name: 'frontdoor.runaway.all_stopped_after_cancel', value: Math.max(...stops.slice(0, 10)) - cancelledAt, unit: 'ms', stopped: stops.length, ...base });
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

async function overhead(server: RunningServer, cwd: string): Promise<void> {
  const direct = await inProcessPerEventUs(cwd, 20);
  const viaServer = await runClients(server.port, ['--clients', '1', '--sequential', '20']);
  const events = viaServer.samples.reduce((n, s) => n + s.events, 0);
  const fullPath = (viaServer.samples.reduce((n, s) => n + s.totalMs, 0) * 1000) / events;
  emit({ name: 'frontdoor.per_event.in_process', value: direct, unit: 'us/event', nodes: NODES });
  emit({ name: 'frontdoor.per_event.full_path', value: fullPath, unit: 'us/event', nodes: NODES });
  emit({ name: 'frontdoor.per_event.overhead', value: fullPath - direct, unit: 'us/event', nodes: NODES });
}

async function serverMain(): Promise<void> {
  const rounds = Number(argValue('--rounds') ?? '1');
  const only = argValue('--only');
  const wanted = (name: string): boolean => only === undefined || only === name;
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'converge-bench-fd-'));
  fs.writeFileSync(path.join(cwd, 'bench.hcl'), fileModule(NODES, 'out'));
  fs.writeFileSync(path.join(cwd, 'large.hcl'), fileModule(5000, 'out-large'));
  fs.writeFileSync(path.join(cwd, 'apply.hcl'), fileModule(10, path.join(cwd, 'applied')));
  fs.writeFileSync(path.join(cwd, 'runaway.hcl'), RUNAWAY);
  const stops: number[] = [];
  const logger: Logger = {
    log: (_level, msg, fields) => {
      if (fields?.['kind'] === 'plan' && (msg.startsWith('run cancelled') || msg === 'run failed') && String(fields['code'] ?? 'CNV_ERR_JOB_CANCELLED').includes('CANCEL')) stops.push(Date.now());
    },
  };
  // Default settings throughout: the benchmark measures what an operator gets without tuning.
  const server = await startServer({ host: '127.0.0.1', port: 0, token: TOKEN, cwd, logger });
  try {
    // Warm the worker threads.
    await runClients(server.port, ['--clients', '4']);
    for (const clients of [1, 50, 200, 1000]) {
      if (wanted(`c${clients}`)) await concurrentPlans(server, clients, rounds);
    }
    if (wanted('mixed')) await mixed(server);
    if (wanted('runaway')) await runaway(server, stops);
    if (wanted('overhead')) await overhead(server, cwd);
    if (only === 'store') await storeOnOff(cwd, logger, rounds);
  } finally {
    await server.close();
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

if (process.argv.includes('--client')) await clientMain();
else await serverMain();
