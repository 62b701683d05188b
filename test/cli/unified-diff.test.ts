import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { diffLines, unifiedDiff } from '../../src/cli/unified-diff.js';

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function mutate(lines: string[], next: () => number): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const r = next();
    if (r < 0.1) continue;
    if (r < 0.2) out.push(`changed ${line}`);
    else out.push(line);
    if (next() < 0.08) out.push(`inserted ${Math.floor(next() * 100)}`);
  }
  return out;
}

test('diffLines() - an edit script with as few changes as GNU diff finds', (t) => {
  const next = random(12);
  for (let round = 0; round < 40; round++) {
    const a = Array.from({ length: Math.floor(next() * 30) }, (_, i) => `line ${i % 7}`);
    const b = mutate(a, next);
    const ops = diffLines(a, b);
    t.deepEqual(ops.filter((o) => o.kind !== '+').map((o) => o.line), a);
    t.deepEqual(ops.filter((o) => o.kind !== '-').map((o) => o.line), b);
    const changes = ops.filter((o) => o.kind !== ' ').length;
    const gnu = gnuChangeCount(a, b);
    t.is(changes, gnu, `round ${round}`);
  }
});

test('unifiedDiff() - applying the hunks to the old text gives the new one, line numbers included', (t) => {
  const next = random(7);
  for (let round = 0; round < 30; round++) {
    const a = Array.from({ length: 5 + Math.floor(next() * 40) }, (_, i) => `row ${i}`);
    const b = mutate(a, next);
    const before = a.join('\n') + (round % 3 === 0 ? '' : '\n');
    const after = b.join('\n') + '\n';
    const patchText = unifiedDiff('m.hcl', before, after);
    t.is(applyPatch(before, patchText), after, `round ${round}:\n${patchText}`);
  }
});

test('unifiedDiff() - equal texts give nothing; hunks far apart stay separate', (t) => {
  t.is(unifiedDiff('x', 'a\n', 'a\n'), '');
  const a = Array.from({ length: 20 }, (_, i) => String(i));
  const b = [...a];
  b[1] = 'one';
  b[18] = 'eighteen';
  const text = unifiedDiff('x', a.join('\n') + '\n', b.join('\n') + '\n');
  t.deepEqual(
    text.split('\n').filter((l) => l.startsWith('@@')),
    ['@@ -1,5 +1,5 @@', '@@ -16,5 +16,5 @@'],
  );
});

/** Applies a unified diff strictly: every context and removed line must be where its hunk header says. */
function applyPatch(before: string, patchText: string): string {
  const old = before.split(/(?<=\n)/);
  const out: string[] = [];
  let at = 0;
  const lines = patchText.split('\n').slice(2, -1);
  for (let i = 0; i < lines.length; i++) {
    const header = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(lines[i]!);
    if (header) {
      const start = Number(header[1]) - (header[2] === '0' ? 0 : 1);
      out.push(...old.slice(at, start));
      at = start;
      continue;
    }
    const line = lines[i]!;
    const noNewline = lines[i + 1] === '\\ No newline at end of file';
    const text = line.slice(1) + (noNewline ? '' : '\n');
    if (line[0] === ' ' || line[0] === '-') {
      if (old[at] !== text) throw new Error(`line ${at + 1} is ${JSON.stringify(old[at])}, the hunk says ${JSON.stringify(text)}`);
      at++;
    }
    if (line[0] === ' ' || line[0] === '+') out.push(text);
    if (noNewline) i++;
  }
  return [...out, ...old.slice(at)].join('');
}

/** Lines GNU diff removes plus adds between a and b (its minimal script, as the reference). */
function gnuChangeCount(a: string[], b: string[]): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'converge-gnudiff-'));
  try {
    fs.writeFileSync(path.join(dir, 'a'), a.map((l) => l + '\n').join(''));
    fs.writeFileSync(path.join(dir, 'b'), b.map((l) => l + '\n').join(''));
    let out = '';
    try {
      out = execFileSync('diff', ['--minimal', 'a', 'b'], { cwd: dir, encoding: 'utf8' });
    } catch (error) {
      out = (error as { stdout: string }).stdout;
    }
    return out.split('\n').filter((l) => l.startsWith('< ') || l.startsWith('> ')).length;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
