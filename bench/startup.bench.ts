/**
 * Start-up, command by command, through bin/converge as users run it: `version`, `validate` of a
 * 10-node module, and `apply --local` / `plan --local` of the original's basic.hcl (one task), fresh
 * (its file absent) and converged. With CONVERGE_ORIGINAL_BIN set, the original runs the same commands
 * in the same rounds, in turn with ours, so that both see the same machine. Each figure is the median
 * (and min, max) over the rounds, wall time from spawn to exit; the load average is printed beside it.
 * Options: --rounds N (default 21).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const OURS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/converge');
const ORIGINAL = process.env['CONVERGE_ORIGINAL_BIN'];
const roundsIndex = process.argv.indexOf('--rounds');
const ROUNDS = roundsIndex < 0 ? 21 : Number(process.argv[roundsIndex + 1]);

// The original's samples/basic.hcl.
const BASIC = `param "message" {
  default = "Hello, World!"
}

param "filename" {
  default = "test.txt"
}

task "render" {
  check = "cat {{param \`filename\`}} | tee /dev/stderr | grep -q '{{param \`message\`}}'"
  apply = "echo '{{param \`message\`}}' > {{param \`filename\`}}"
}
`;

/** Ten file.content nodes in a chain. */
const TEN = Array.from({ length: 10 }, (_, i) =>
  `file.content "f${i}" {\n  destination = "f${i}.txt"\n  content = "${i}"\n${i > 0 ? `  depends = ["file.content.f${i - 1}"]\n` : ''}}\n`,
).join('\n');

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  /** Runs before each timed run, untimed. */
  readonly before?: (dir: string) => void;
  /** The original has no such command (its validate differs); ours only. */
  readonly oursOnly?: boolean;
}

const removeTestFile = (dir: string): void => fs.rmSync(path.join(dir, 'test.txt'), { force: true });
const CASES: readonly Case[] = [
  { name: 'version', args: ['version'] },
  { name: 'validate ten.hcl (10 nodes)', args: ['validate', 'ten.hcl'], oursOnly: true },
  { name: 'apply --local basic.hcl (fresh)', args: ['apply', '--local', 'basic.hcl'], before: removeTestFile },
  { name: 'apply --local basic.hcl (converged)', args: ['apply', '--local', 'basic.hcl'] },
  { name: 'plan --local basic.hcl (converged)', args: ['plan', '--local', 'basic.hcl'] },
];

/** Wall milliseconds of one run, or the tail of its stderr when it failed (counted, not timed). */
function timed(bin: string, args: readonly string[], cwd: string): number | string {
  const started = performance.now();
  const result = spawnSync(bin, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const ms = performance.now() - started;
  return result.status === 0 ? ms : `exit ${result.status}: ${result.stderr.toString().slice(-300)}`;
}

function stats(samples: number[]): { median: number; min: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (n: number): number => Math.round(n * 10) / 10;
  return { median: round(sorted[Math.floor(sorted.length / 2)]!), min: round(sorted[0]!), max: round(sorted.at(-1)!) };
}

const dirs = { ours: fs.mkdtempSync(path.join(os.tmpdir(), 'cnv-startup-ours-')), original: fs.mkdtempSync(path.join(os.tmpdir(), 'cnv-startup-orig-')) };
for (const dir of Object.values(dirs)) {
  fs.writeFileSync(path.join(dir, 'basic.hcl'), BASIC);
  fs.writeFileSync(path.join(dir, 'ten.hcl'), TEN);
}
if (ORIGINAL === undefined) console.error('startup: CONVERGE_ORIGINAL_BIN is not set; measuring ours only');
try {
  for (const c of CASES) {
    const who = ORIGINAL !== undefined && c.oursOnly !== true ? (['ours', 'original'] as const) : (['ours'] as const);
    const samples: Record<string, number[]> = { ours: [], original: [] };
    const failures: Record<string, { count: number; last: string }> = {};
    for (let round = -2; round < ROUNDS; round += 1) {
      for (const side of who) {
        const dir = dirs[side];
        c.before?.(dir);
        const ms = timed(side === 'ours' ? OURS : ORIGINAL!, c.args, dir);
        if (typeof ms === 'string') {
          failures[side] = { count: (failures[side]?.count ?? 0) + 1, last: ms };
          continue;
        }
        // Two warm-up rounds: the first runs fill the page cache and V8's code cache.
        if (round >= 0) samples[side]!.push(ms);
      }
    }
    const record: Record<string, unknown> = { bench: 'startup', case: c.name, rounds: ROUNDS, oursMs: stats(samples['ours']!) };
    if (samples['original']!.length > 0) {
      record['originalMs'] = stats(samples['original']!);
      record['oursOverOriginal'] = Math.round((stats(samples['ours']!).median / stats(samples['original']!).median) * 100) / 100;
    }
    if (Object.keys(failures).length > 0) record['failures'] = failures;
    record['load1'] = Math.round(os.loadavg()[0]! * 100) / 100;
    process.stdout.write(`${JSON.stringify(record)}\n`);
  }
} finally {
  for (const dir of Object.values(dirs)) fs.rmSync(dir, { recursive: true, force: true });
}
