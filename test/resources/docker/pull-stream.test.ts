/**
 * Pull behaviour that a healthy registry never shows (a stall, a cancel), against a minimal engine
 * endpoint on a unix socket that answers the two requests a pull makes and then goes quiet.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { StatusLevel } from '../../../src/resources/types.js';
import { prepare } from '../helpers.js';

interface StalledEngine {
  readonly socket: string;
  /** Resolves when the pull request has been answered with its first line. */
  readonly pulling: Promise<void>;
}

async function stalledEngine(t: import('ava').ExecutionContext): Promise<StalledEngine> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnv-docker-stall-'));
  const socket = path.join(dir, 'engine.sock');
  let started!: () => void;
  const pulling = new Promise<void>((resolve) => (started = resolve));
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://engine');
    if (req.method === 'GET' && url.pathname.endsWith('/images/json')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    } else if (req.method === 'POST' && url.pathname.endsWith('/images/create')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`${JSON.stringify({ status: 'Pulling fs layer', id: 'aaaa1111' })}\n`, () => started());
      open.add(res); // and then nothing more
    } else {
      res.writeHead(404).end('{"message":"not here"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  t.teardown(async () => {
    for (const res of open) res.destroy();
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const saved = process.env['DOCKER_HOST'];
  process.env['DOCKER_HOST'] = `unix://${socket}`;
  t.teardown(() => {
    if (saved === undefined) delete process.env['DOCKER_HOST'];
    else process.env['DOCKER_HOST'] = saved;
  });
  return { socket, pulling };
}

test.serial('a pull that stops sending data fails after inactivity_timeout', async (t) => {
  await stalledEngine(t);
  const progress: string[] = [];
  const ctx = { cwd: process.cwd(), signal: new AbortController().signal, progress: (m: string) => progress.push(m) };
  const task = await prepare('docker.image', { name: 'example/slow', inactivity_timeout: '300ms' }, ctx.cwd);
  t.is((await task.check(ctx)).level, StatusLevel.WillChange);
  const status = await task.apply(ctx);
  t.is(status.level, StatusLevel.Fatal);
  t.is(status.error, 'pull image example/slow:latest: no data for 0.3s (inactivity_timeout)');
  t.deepEqual(progress, ['aaaa1111: Pulling fs layer']);
});

test.serial('cancelling the job ends a stalled pull', async (t) => {
  const engine = await stalledEngine(t);
  const controller = new AbortController();
  const ctx = { cwd: process.cwd(), signal: controller.signal };
  const task = await prepare('docker.image', { name: 'example/slow' }, ctx.cwd);
  const applying = task.apply(ctx);
  await engine.pulling;
  controller.abort();
  const status = await applying;
  t.is(status.level, StatusLevel.Fatal);
  t.regex(status.error ?? '', /^pull image example\/slow:latest: cancelled$/);
});
