/** Collecting executor streams (gRPC via the client, HTTP via NDJSON) into plain arrays for checks. */
import http from 'node:http';
import type { ExecutorStream } from '../../src/frontdoor/client.js';
import type { QueuedNotice } from '../../src/frontdoor/runs.js';
import type { GraphEdge, NodeEvent } from '../../src/protocol.js';
import { mintToken } from '../../src/jwt.js';

export interface Collected {
  readonly runId: string;
  readonly edges: readonly GraphEdge[];
  readonly events: readonly NodeEvent[];
  readonly seqs: readonly number[];
  readonly notices: readonly QueuedNotice[];
}

export async function collect(stream: ExecutorStream, onItem?: (type: string) => void): Promise<Collected> {
  let runId = '';
  let edges: readonly GraphEdge[] = [];
  const events: NodeEvent[] = [];
  const seqs: number[] = [];
  const notices: QueuedNotice[] = [];
  for await (const item of stream) {
    if (item.type === 'start') {
      runId = item.runId;
      edges = item.edges;
    } else if (item.type === 'queued') {
      notices.push(item.notice);
    } else if (item.type === 'node') {
      events.push(item.event);
      seqs.push(item.seq);
    }
    onItem?.(item.type);
  }
  return { runId, edges, events, seqs, notices };
}

export interface HttpStream {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly lines: ReadonlyArray<Record<string, any>>;
}

/** POSTs a LoadRequest to an HTTP streaming route and parses the NDJSON reply. */
export async function postStream(port: number, route: string, body: unknown, token: string | null): Promise<HttpStream> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token !== null) headers['Authorization'] = `Bearer ${await mintToken(token)}`;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: route, headers, agent: false, maxHeaderSize: 1 << 20 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const lines = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, any>);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, lines });
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Each node STARTED before FINISHED, exactly once each, with seq 1..n in order. */
export function checkOrder(events: readonly NodeEvent[], seqs: readonly number[]): string | undefined {
  const state = new Map<string, string>();
  for (const [index, event] of events.entries()) {
    if (seqs[index] !== index + 1) return `seq ${seqs[index]} at position ${index + 1}`;
    const key = `${event.pass}:${event.id}`;
    const before = state.get(key);
    if (event.run === 'STARTED' && before !== undefined) return `${key} started twice`;
    if (event.run === 'FINISHED' && before !== 'STARTED') return `${key} finished before it started`;
    state.set(key, event.run);
  }
  for (const [key, value] of state) if (value !== 'FINISHED') return `${key} never finished`;
  return undefined;
}
