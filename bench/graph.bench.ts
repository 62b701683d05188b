/**
 * Graph throughput on generated layered DAGs (issue 2): layers 100 wide, each node depending on 2 nodes
 * of the layer before. N = 1,000 / 10,000 / 100,000 `file.content` nodes writing under a temp dir, and
 * 1,000 `task` nodes with `check = "true"`. Each case runs in its own process (so peak RSS is its own)
 * twice: in-process through runJob ("engine"), and end to end through `converge plan --local` ("cli").
 * Each line also carries the floor for the same N: statSync of N files, or N `sh -c true` spawned at
 * the same concurrency. Prints JSON lines; numbers, not assertions.
 *
 *   node build/bench/graph.bench.js [--max 100000]
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PARALLELISM, runJob } from '../src/graph/index.js';
import type { JobKind } from '../src/protocol.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WIDTH = 100;
/** A CLI run that takes longer is reported with `exit: null` rather than waited for. */
const CLI_TIMEOUT_MS = 180_000;

type Shape = 'file.content' | 'task';

/** A layered DAG module: node i depends on two nodes of the previous layer. */
function generate(shape: Shape, n: number): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const layer = Math.floor(i / WIDTH);
    const col = i % WIDTH;
    const deps =
      layer === 0 ? '' : `"${shape}.n${(layer - 1) * WIDTH + col}", "${shape}.n${(layer - 1) * WIDTH + ((col + 1) % WIDTH)}"`;
    const body =
      shape === 'file.content'
        ? `  destination = "out/f${i}.txt"\n  content     = "node ${i}"\n`
        : `  check = "true"\n  apply = "true"\n  dir   = "n${i}"\n`;
    parts.push(`${shape} "n${i}" {\n${body}  depends = [${deps}]\n}\n`);
  }
  return parts.join('');
}

function setup(shape: Shape, n: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'converge-bench-'));
  fs.mkdirSync(path.join(dir, 'out'));
  if (shape === 'task') for (let i = 0; i < n; i++) fs.mkdirSync(path.join(dir, `n${i}`));
  fs.writeFileSync(path.join(dir, 'main.hcl'), generate(shape, n));
  return dir;
}

/** The floor: what the same N costs without the engine. */
async function floor(shape: Shape, dir: string, n: number, concurrency: number): Promise<number> {
  const start = performance.now();
  if (shape === 'file.content') {
    for (let i = 0; i < n; i++) {
      try {
        fs.statSync(path.join(dir, 'out', `f${i}.txt`));
      } catch {
        // Missing files are the plan case; the stat is what costs.
      }
    }
  } else {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < n) {
        next++;
        await new Promise<void>((resolve) => spawn('sh', ['-c', 'true']).on('close', () => resolve()));
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }
  return (performance.now() - start) / 1000;
}

/** Child mode: one case in this process. */
async function child(shape: Shape, n: number, kind: JobKind): Promise<void> {
  const dir = setup(shape, n);
  try {
    const floorS = await floor(shape, dir, n, DEFAULT_PARALLELISM);
    const start = performance.now();
    let events = 0;
    const { nodes } = await runJob(
      { kind, location: 'main.hcl', params: {}, cwd: dir, parallelism: DEFAULT_PARALLELISM },
      { edges: () => undefined, event: () => void events++ },
      new AbortController().signal,
    );
    const wall = (performance.now() - start) / 1000;
    const peak = process.resourceUsage().maxRSS / 1024;
    console.log(JSON.stringify({ bench: 'graph', path: 'engine', shape, kind, N: n, nodes, events, wall_s: round(wall), nodes_per_s: Math.round(n / wall), us_per_node: Math.round((wall * 1e6) / n), peak_rss_mb: Math.round(peak), floor_s: round(floorS) }));
    if (kind === 'plan') cli(shape, n, dir, floorS);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** End to end: `converge plan --local`, timed from spawn to exit; peak RSS from /usr/bin/time when present. */
function cli(shape: Shape, n: number, dir: string, floorS: number): void {
  const hasTime = fs.existsSync('/usr/bin/time');
  const argv = [path.join(ROOT, 'bin/converge'), 'plan', '--local', '--nocolor', 'main.hcl'];
  const start = performance.now();
  const result = spawnSync(hasTime ? '/usr/bin/time' : argv[0]!, hasTime ? ['-f', 'maxrss_kb=%M', ...argv] : argv.slice(1), {
    cwd: dir,
    env: { ...process.env, CONVERGE_LOCAL_ADDR: '127.0.0.1:0' },
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    timeout: CLI_TIMEOUT_MS,
  });
  const wall = (performance.now() - start) / 1000;
  const rss = /maxrss_kb=(\d+)/.exec(result.stderr ?? '');
  console.log(JSON.stringify({ bench: 'graph', path: 'cli', shape, kind: 'plan', N: n, exit: result.status, wall_s: round(wall), nodes_per_s: Math.round(n / wall), us_per_node: Math.round((wall * 1e6) / n), peak_rss_mb: rss ? Math.round(Number(rss[1]) / 1024) : null, floor_s: round(floorS) }));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--case') {
    await child(args[1] as Shape, Number(args[2]), args[3] as JobKind);
    return;
  }
  const maxAt = args.indexOf('--max');
  const max = maxAt >= 0 ? Number(args[maxAt + 1]) : 100_000;
  const cases: [Shape, number, JobKind][] = [
    ['file.content', 1_000, 'plan'],
    ['file.content', 1_000, 'apply'],
    ['file.content', 10_000, 'plan'],
    ['file.content', 10_000, 'apply'],
    ['file.content', 100_000, 'plan'],
    ['task', 1_000, 'plan'],
  ];
  for (const [shape, n, kind] of cases) {
    if (n > max) continue;
    spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--case', shape, String(n), kind], { stdio: 'inherit' });
  }
}

await main();
