/**
 * A reader that closes our stdout early (`converge apply -o json | head -1`): the command must not die
 * of EPIPE between nodes. Its apply runs to the end and it exits with the run's status, quietly.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { BIN, LOCAL, scratchDir } from './run-cli.js';

const FILES = 50;
const TASKS = 4;

/** Files, then tasks one after another: their output comes well after the reader has gone. */
function moduleText(dir: string): string {
  let text = '';
  for (let i = 0; i < FILES; i += 1) text += `file.content "f${i}" {\n  destination = "${dir}/out/f${i}"\n  content = "${i}"\n}\n`;
  for (let i = 0; i < TASKS; i += 1) {
    const after = i === 0 ? '' : `  depends = ["task.t${i - 1}"]\n`;
    text += `task "t${i}" {\n  check = "test -e ${dir}/out/t${i}"\n  apply = "sleep 0.2; touch ${dir}/out/t${i}"\n${after}}\n`;
  }
  return text;
}

/** Runs the CLI with stdout a pipe that is closed after its first chunk, as `| head -c 1` does. */
function runClosingStdout(args: readonly string[], cwd: string): Promise<{ code: number | null; stderr: string; firstChunk: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let firstChunk = '';
    let stderr = '';
    child.stdout.once('data', (chunk: Buffer) => {
      firstChunk = chunk.toString('utf8');
      child.stdout.destroy();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, firstChunk }));
  });
}

for (const format of [['-o', 'json'], []] as const) {
  const name = format.length === 0 ? 'the text format' : 'JSON lines';
  test(`broken pipe - apply with ${name} whose reader leaves early still converges every node and exits 0`, async (t) => {
    const dir = scratchDir(t);
    fs.mkdirSync(path.join(dir, 'out'));
    fs.writeFileSync(path.join(dir, 'many.hcl'), moduleText(dir));
    const result = await runClosingStdout(['apply', ...LOCAL, ...format, 'many.hcl'], dir);
    t.not(result.firstChunk, '', 'some output came before the reader left');
    t.is(result.code, 0, result.stderr);
    t.notRegex(result.stderr, /EPIPE|Unhandled/);
    t.is(fs.readdirSync(path.join(dir, 'out')).length, FILES + TASKS);
  });
}
