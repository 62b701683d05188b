/**
 * What batching package.apt nodes of one group into one apt-get transaction gains, for real: installs
 * and purges a few small Debian packages the machine lacks, once one apt-get per package (what a
 * serial group chain does) and once as one coalesced transaction (src/resources/package/batch.ts). The .deb files
 * are downloaded first, so both runs install from the local cache and measure apt/dpkg work, not the
 * mirror. Needs root, apt and the packages' absence; otherwise it prints a skip line.
 *
 *   npm run bench -- apt            or   node build/bench/apt.bench.js [pkg ...]
 *
 * Prints JSON lines: {"bench":"apt","phase":"install","mode":"sequential"|"batched","packages":N,
 * "transactions":apt-get runs,"ms":...}
 * and a summary line with the speed-ups.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { aptManager, packageApt } from '../src/resources/package/apt.js';
import { packageQueue } from '../src/resources/package/manager.js';
import type { Task } from '../src/resources/types.js';

const PACKAGES = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['hello', 'sl', 'figlet'];
const ENV = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const ctx = { signal: new AbortController().signal, cwd: process.cwd() };

function installed(name: string): boolean {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('ok installed');
}

function skip(reason: string): never {
  console.log(JSON.stringify({ bench: 'apt', skipped: reason }));
  process.exit(0);
}

async function tasks(state: 'present' | 'absent', batched: boolean): Promise<Task[]> {
  return Promise.all(
    PACKAGES.map((name) =>
      packageApt.prepare({ name, state }, { id: `root/package.apt.${name}`, cwd: ctx.cwd, ...(batched ? { group: 'bench' } : {}) }),
    ),
  );
}

async function timed(phase: string, mode: string, run: () => Promise<void>): Promise<number> {
  const before = packageQueue(aptManager).batchesRun;
  const start = performance.now();
  await run();
  const ms = Math.round(performance.now() - start);
  const transactions = packageQueue(aptManager).batchesRun - before;
  console.log(JSON.stringify({ bench: 'apt', phase, mode, packages: PACKAGES.length, transactions, ms }));
  return ms;
}

async function applyAll(list: Task[], together: boolean): Promise<void> {
  const results = together ? await Promise.all(list.map((t) => t.apply(ctx))) : [];
  if (!together) for (const t of list) results.push(await t.apply(ctx));
  const failed = results.find((r) => r.error !== undefined);
  if (failed) throw new Error(failed.error);
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) skip('needs root');
  if (spawnSync('apt-get', ['--version']).status !== 0) skip('no apt-get');
  const present = PACKAGES.filter(installed);
  if (present.length > 0) skip(`already installed: ${present.join(' ')}`);
  const fetched = spawnSync('apt-get', ['install', '-y', '--download-only', ...PACKAGES], { env: ENV, encoding: 'utf8', timeout: 300_000 });
  if (fetched.status !== 0) skip(`cannot download the packages: ${fetched.stderr.trim().split('\n').pop() ?? ''}`);
  try {
    const seqInstall = await timed('install', 'sequential', async () => applyAll(await tasks('present', false), false));
    const seqPurge = await timed('purge', 'sequential', async () => applyAll(await tasks('absent', false), false));
    const batInstall = await timed('install', 'batched', async () => applyAll(await tasks('present', true), true));
    const batPurge = await timed('purge', 'batched', async () => applyAll(await tasks('absent', true), true));
    console.log(
      JSON.stringify({
        bench: 'apt',
        summary: true,
        packages: PACKAGES,
        installSpeedup: +(seqInstall / batInstall).toFixed(2),
        purgeSpeedup: +(seqPurge / batPurge).toFixed(2),
      }),
    );
  } finally {
    const left = PACKAGES.filter(installed);
    if (left.length > 0) spawnSync('apt-get', ['purge', '-y', ...left], { env: ENV, stdio: 'ignore' });
  }
}

await main();
