/**
 * Connections that need no authentication are bounded: bare TCP that sends nothing, slowloris headers,
 * idle keep-alive, HTTP/2 sessions that never send a request, and caps in total and per peer. Real
 * sockets on 127.0.0.1, with the server's timeouts shortened through its options.
 */
import fs from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import path from 'node:path';
import test from 'ava';
import { connectionCap, openFileLimit } from '../../src/frontdoor/listener.js';
import { resolveServerOptions } from '../../src/frontdoor/server-options.js';
import { client, request, serve, tempDir } from './helpers.js';
import { collect } from './streams.js';

const SHORT = { handshakeTimeoutMs: 800, headersTimeoutMs: 1200, keepAliveTimeoutMs: 800, idleTimeoutMs: 1500 } as const;

function openSocket(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

function closed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    socket.once('close', () => resolve());
  });
}

/** Resolves true when every socket has closed, false if `ms` pass first (the test then fails). */
async function allClosedWithin(sockets: readonly net.Socket[], ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const result = await Promise.race([Promise.all(sockets.map(closed)).then(() => true as const), deadline]);
  clearTimeout(timer);
  return result;
}

const MODULE = 'task "hello" {\n  check = "exit 1"\n  apply = "true"\n}\n';

test('resolveServerOptions() - defaults fit 1,000 clients from one address; bad values name the option', (t) => {
  const resolved = resolveServerOptions({});
  t.true(resolved.connections.maxConnections > 1000);
  t.true(resolved.connections.maxConnectionsPerPeer > 1000);
  t.throws(() => resolveServerOptions({ connections: { maxConnections: 0 } }), { message: /connections\.maxConnections/ });
  t.throws(() => resolveServerOptions({ port: 70_000 }), { message: /port/ });
  t.throws(() => resolveServerOptions({ shutdownGraceMs: -1 }), { message: /shutdownGraceMs/ });
});

test('connectionCap() - keeps fds free under a low open-file limit', (t) => {
  t.is(connectionCap(8192, undefined), 8192);
  t.is(connectionCap(8192, 1024), 768);
  t.is(connectionCap(8192, 200), 150);
  t.is(connectionCap(100, 20_000), 100);
});

// 2,000 sockets each side need 5,000 descriptors; under a lower limit the test is skipped, saying so.
const fdLimit = openFileLimit();
const enoughFds = fdLimit === undefined || fdLimit >= 5000;
(enoughFds ? test : test.skip)(`2,000 idle connections of four kinds are all closed by the timeouts; a plan succeeds meanwhile${enoughFds ? '' : ` (skipped: open-file limit ${fdLimit} is below 5,000)`}`, async (t) => {
  const cwd = tempDir(t);
  fs.writeFileSync(path.join(cwd, 'hello.hcl'), MODULE);
  const server = await serve(t, { noToken: true, cwd, connections: SHORT });
  const started = Date.now();
  const sockets: net.Socket[] = [];
  const trickles: NodeJS.Timeout[] = [];
  t.teardown(() => {
    for (const timer of trickles) clearInterval(timer);
    for (const socket of sockets) socket.destroy();
  });
  const sessions: http2.ClientHttp2Session[] = [];
  for (let i = 0; i < 500; i += 1) {
    // Bare TCP: connects, sends nothing.
    sockets.push(await openSocket(server.port));
    // Slowloris: a request line, then one header byte every 200 ms, never the end of the headers.
    const slow = await openSocket(server.port);
    slow.write('GET /api/v1/ping HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    trickles.push(setInterval(() => slow.writable && slow.write('a'), 200));
    sockets.push(slow);
    // Keep-alive: one full request, then silence.
    const kept = await openSocket(server.port);
    kept.write('GET /api/v1/ping HTTP/1.1\r\nHost: x\r\n\r\n');
    kept.resume();
    sockets.push(kept);
    // HTTP/2: preface and settings, never a request.
    const raw = await openSocket(server.port);
    const session = http2.connect(`http://127.0.0.1:${server.port}`, { createConnection: () => raw });
    session.on('error', () => undefined);
    sessions.push(session);
    sockets.push(raw);
  }
  t.is(sockets.length, 2000);
  const opened = Date.now() - started;
  // Meanwhile, a normal plan over gRPC and a ping over HTTP.
  const plan = await collect(client(t, server).plan({ location: 'hello.hcl' }));
  t.true(plan.events.some((e) => e.id === 'root/task.hello' && e.run === 'FINISHED'));
  t.is((await request(server, 'GET', '/api/v1/ping')).status, 200);
  t.true(await allClosedWithin(sockets, 20_000), 'every idle connection closed');
  t.log(`2,000 connections opened in ${opened} ms, all closed ${Date.now() - started} ms after the first`);
});

test('per-peer cap: connections past it are closed at once, and the rest keep working', async (t) => {
  const server = await serve(t, { noToken: true, connections: { maxConnectionsPerPeer: 20 } });
  const held: net.Socket[] = [];
  t.teardown(() => held.forEach((s) => s.destroy()));
  for (let i = 0; i < 20; i += 1) held.push(await openSocket(server.port));
  const extra = await openSocket(server.port);
  t.true(await allClosedWithin([extra], 5000), 'the 21st connection from 127.0.0.1 is closed');
  held.pop()!.destroy();
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.is((await request(server, 'GET', '/api/v1/ping')).status, 200, 'a freed slot is usable again');
});

test('total cap: counted across peers', async (t) => {
  const server = await serve(t, { noToken: true, connections: { maxConnections: 10 } });
  const held: net.Socket[] = [];
  t.teardown(() => held.forEach((s) => s.destroy()));
  for (let i = 0; i < 10; i += 1) held.push(await openSocket(server.port));
  const extra = await openSocket(server.port);
  t.true(await allClosedWithin([extra], 5000));
  for (const socket of held) socket.destroy();
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.is((await request(server, 'GET', '/api/v1/ping')).status, 200);
});

test('a streaming job is not cut by the idle timeout', async (t) => {
  const cwd = tempDir(t);
  fs.writeFileSync(path.join(cwd, 'slow.hcl'), 'task "slow" {\n  check = "sleep 2; exit 1"\n  apply = "true"\n}\n');
  const server = await serve(t, { noToken: true, cwd, connections: { idleTimeoutMs: 500 } });
  const plan = await collect(client(t, server).plan({ location: 'slow.hcl' }));
  t.true(plan.events.some((e) => e.id === 'root/task.slow' && e.run === 'FINISHED'));
  const { postStream } = await import('./streams.js');
  const http = await postStream(server.port, '/api/v1/machine/plan', { location: 'slow.hcl' }, null);
  t.true(http.lines.some((l) => l['result']?.id === 'root/task.slow' && l['result']?.run === 'FINISHED'));
});
