/**
 * The load side of bench/frontdoor.bench.ts, run in its own process so that clients and server do not
 * share an event loop (on 2 cores, in-process figures come out about half). Modes:
 *   plans    C gRPC clients, one plan each, all started together (or one client, K plans in a row)
 *   applies  one client submitting an apply every --every ms until --for ms have passed
 *   stalled  C raw HTTP/1.1 plan streams whose sockets are never read
 *   runaway  R runaway plans, then one normal plan; then the runaways are cancelled
 * Each mode prints one JSON line with its samples on stdout.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { ConvergeClient } from '../src/frontdoor/client.js';
import { getErrorMessage } from '../src/errors.js';
import { mintToken } from '../src/jwt.js';

export const TOKEN = 'bench-token';

export interface ClientSample {
  readonly firstNodeMs: number;
  readonly totalMs: number;
  readonly events: number;
}

export interface ClientReport {
  readonly samples: ClientSample[];
  readonly failures: number;
  readonly refusals: number;
  readonly errors: string[];
  readonly wallMs: number;
  readonly extra?: Record<string, number>;
}

function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index < 0 ? undefined : process.argv[index + 1];
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function plan(client: ConvergeClient, location: string, kind: 'plan' | 'apply' = 'plan'): Promise<ClientSample> {
  const started = performance.now();
  let firstNode = NaN;
  let events = 0;
  const stream = kind === 'plan' ? client.plan({ location }) : client.apply({ location });
  for await (const item of stream) {
    if (item.type !== 'node') continue;
    if (Number.isNaN(firstNode)) firstNode = performance.now() - started;
    events += 1;
  }
  return { firstNodeMs: firstNode, totalMs: performance.now() - started, events };
}

function tally(settled: PromiseSettledResult<ClientSample>[], wallMs: number, extra?: Record<string, number>): ClientReport {
  const samples: ClientSample[] = [];
  const errors: string[] = [];
  let refusals = 0;
  for (const s of settled) {
    if (s.status === 'fulfilled') {
      samples.push(s.value);
      continue;
    }
    const code = (s.reason as { code?: string }).code;
    if (code === 'CNV_ERR_QUEUE_FULL') refusals += 1;
    if (errors.length < 5) errors.push(`${code ?? ''} ${getErrorMessage(s.reason)}`);
  }
  return { samples, failures: settled.length - samples.length, refusals, errors, wallMs, ...(extra === undefined ? {} : { extra }) };
}

function clientsFor(port: number, count: number): ConvergeClient[] {
  return Array.from({ length: count }, () => new ConvergeClient({ address: `127.0.0.1:${port}`, token: TOKEN, ownConnection: true }));
}

async function plansMode(port: number): Promise<ClientReport> {
  const count = Number(argValue('--clients'));
  const sequential = Number(argValue('--sequential') ?? '0');
  const location = argValue('--location') ?? 'bench.hcl';
  const clients = clientsFor(port, sequential > 0 ? 1 : count);
  // Connect first, so the numbers measure plans rather than TCP set-up.
  await Promise.all(clients.map((c) => c.ping()));
  const wall = performance.now();
  let settled: PromiseSettledResult<ClientSample>[];
  if (sequential > 0) {
    settled = [];
    for (let i = 0; i < sequential; i += 1) settled.push(...(await Promise.allSettled([plan(clients[0]!, location)])));
  } else {
    settled = await Promise.allSettled(clients.map((c) => plan(c, location)));
  }
  const wallMs = performance.now() - wall;
  for (const c of clients) c.close();
  return tally(settled, wallMs);
}

async function appliesMode(port: number): Promise<ClientReport> {
  const every = Number(argValue('--every') ?? '100');
  const forMs = Number(argValue('--for') ?? '3000');
  const [client] = clientsFor(port, 1);
  await client!.ping();
  const wall = performance.now();
  const running: Promise<ClientSample>[] = [];
  while (performance.now() - wall < forMs) {
    running.push(plan(client!, 'apply.hcl', 'apply'));
    await pause(every);
  }
  const settled = await Promise.allSettled(running);
  client!.close();
  return tally(settled, performance.now() - wall);
}

/** Opens an HTTP/1.1 plan stream and never reads it: the kernel buffers fill, then the server's writes wait. */
async function stalledMode(port: number): Promise<ClientReport> {
  const count = Number(argValue('--clients') ?? '10');
  const holdMs = Number(argValue('--hold') ?? '5000');
  const location = argValue('--location') ?? 'bench.hcl';
  const body = JSON.stringify({ location });
  const authorization = `Bearer ${await mintToken(TOKEN)}`;
  const sockets = Array.from({ length: count }, () => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(
      `POST /api/v1/machine/plan HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${authorization}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    socket.pause();
    return socket;
  });
  await pause(holdMs);
  for (const socket of sockets) socket.destroy();
  return { samples: [], failures: 0, refusals: 0, errors: [], wallMs: holdMs };
}

/** Runaway plans first, then one normal plan timed while they run; then the runaways' clients leave. */
async function runawayMode(port: number): Promise<ClientReport> {
  const count = Number(argValue('--runaways') ?? '10');
  const clients = clientsFor(port, count + 1);
  await Promise.all(clients.map((c) => c.ping()));
  const streams = clients.slice(0, count).map((c) => c.plan({ location: 'runaway.hcl' }));
  const draining = streams.map(async (stream) => {
    try {
      for await (const _ of stream) void _;
    } catch {
      // Cancelled below.
    }
  });
  // Let the runaways reach their loops before the normal plan arrives.
  await pause(300);
  const wall = performance.now();
  const settled = await Promise.allSettled([plan(clients[count]!, 'bench.hcl')]);
  const wallMs = performance.now() - wall;
  const cancelledAt = Date.now();
  for (const stream of streams) stream.cancel();
  await Promise.all(draining);
  for (const c of clients) c.close();
  return tally(settled, wallMs, { cancelledAtEpochMs: cancelledAt });
}

export async function clientMain(): Promise<void> {
  const port = Number(argValue('--port'));
  const mode = argValue('--mode') ?? 'plans';
  const modes: Record<string, (port: number) => Promise<ClientReport>> = {
    plans: plansMode,
    applies: appliesMode,
    stalled: stalledMode,
    runaway: runawayMode,
  };
  const report = await modes[mode]!(port);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
