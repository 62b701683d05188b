/**
 * What the fuzzer found, one fixture each (test/fixtures/fuzz/, which are fuzz seeds as well), with
 * the clean error each now ends in.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { runJob, validateJob } from '../../src/graph/index.js';
import { ConvergeError } from '../../src/errors.js';
import type { JobSpec } from '../../src/protocol.js';
import { runOne } from './runner.js';
import { REPO_ROOT } from './seeds.js';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/fuzz');

/**
 * The fixture in `<tmp>/case/`, with a FIFO at `<tmp>/fifo` (the fixtures name `../fifo`, as the
 * fuzzer lays cases out). Should a read block on the FIFO again, a writer opens it after 5 s so that
 * the test fails on its result instead of hanging.
 */
function caseDir(t: ExecutionContext, fixture: string): { dir: string; fifo: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'converge-fuzz-regression-'));
  const fifo = path.join(root, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const dir = path.join(root, 'case');
  fs.mkdirSync(dir);
  fs.copyFileSync(path.join(FIXTURES, fixture), path.join(dir, fixture));
  const unblock = setTimeout(() => fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK)), 5000);
  t.teardown(() => {
    clearTimeout(unblock);
    fs.rmSync(root, { recursive: true, force: true });
  });
  return { dir, fifo };
}

function job(dir: string, main: string): JobSpec {
  return { kind: 'plan', location: main, params: {}, cwd: dir, parallelism: 1 };
}

/** True when some reader has the FIFO open or is blocked opening it. */
function fifoHasReader(fifo: string): boolean {
  try {
    fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENXIO') return false;
    throw error;
  }
}

async function loadError(t: ExecutionContext, dir: string, main: string): Promise<ConvergeError> {
  const error = await t.throwsAsync(validateJob(job(dir, main)));
  if (!(error instanceof ConvergeError)) throw new Error(`not a ConvergeError: ${String(error)}`);
  return error;
}

async function planErrors(dir: string, main: string): Promise<Map<string, string>> {
  const errors = new Map<string, string>();
  const sink = {
    edges: () => undefined,
    event: (e: { id: string; run: string; details?: { error: string } }) => {
      if (e.run === 'FINISHED' && e.details !== undefined) errors.set(e.id, e.details.error);
    },
  };
  await runJob(job(dir, main), sink, new AbortController().signal);
  return errors;
}

test('fuzz regression - a module source that is a FIFO is refused at the module call, not read', async (t) => {
  const { dir, fifo } = caseDir(t, 'module-fifo.hcl');
  const error = await loadError(t, dir, 'module-fifo.hcl');
  t.is(error.code, 'CNV_ERR_LOAD_READ');
  t.regex(error.message, /^module-fifo\.hcl:1:1: open \/.*\/fifo: not a regular file \(a FIFO\)$/);
  t.false(fifoHasReader(fifo));
});

test('fuzz regression - a module source that is a device is refused, not read until the heap is full', async (t) => {
  const { dir } = caseDir(t, 'module-device.hcl');
  const error = await loadError(t, dir, 'module-device.hcl');
  t.is(error.code, 'CNV_ERR_LOAD_READ');
  t.is(error.message, 'module-device.hcl:1:1: open /dev/zero: not a regular file (a character device)');
});

test('fuzz regression - file.content on a FIFO fails its node at once and leaves no reader blocked', async (t) => {
  const { dir, fifo } = caseDir(t, 'content-fifo.hcl');
  const errors = await planErrors(dir, 'content-fifo.hcl');
  t.is(errors.get('root/file.content.in-fifo'), 'cannot update contents of "../fifo", it is a FIFO, not a regular file');
  t.false(fifoHasReader(fifo));
});

test('fuzz regression - file.content on /dev/zero fails its node instead of "Invalid string length"', async (t) => {
  const { dir } = caseDir(t, 'content-device.hcl');
  const errors = await planErrors(dir, 'content-device.hcl');
  t.is(errors.get('root/file.content.device'), 'cannot update contents of "/dev/zero", it is a character device, not a regular file');
});

test('fuzz regression - twenty splits of ten million characters stop at the byte limit, not with the process', async (t) => {
  // Run on a case thread in a child process with the server's heap limit: were split not charged
  // again, this would abort that process (class oom), not the test's.
  const main = 'split-heap.hcl';
  const seed = { name: main, main, files: { [main]: fs.readFileSync(path.join(FIXTURES, main), 'utf8') }, params: {} };
  const verdict = await runOne(seed, { limits: {} });
  t.is(verdict.cls, 'error');
  t.is(verdict.code, 'CNV_ERR_LIMIT_TEMPLATE_OUTPUT');
  t.regex(verdict.summary, /split-heap\.hcl:3:\d+: template: executing at <split>: template output per render limit of 64 MiB reached/);
});
