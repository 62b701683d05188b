/**
 * A slow load reports its progress before the walk: clients that accept notices get `loading`
 * notices (files read, nodes declared, then rendered) before the edges; the original's clients, which
 * do not, get the stream as before; a small module sends none.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import type { LoadingProgress } from '../../src/protocol.js';
import { client, serve, tempDir } from './helpers.js';
import { postStream } from './streams.js';

const NODES = 15_000;

function bigModule(dir: string): string {
  const blocks: string[] = ['param "x" { default = "y" }'];
  for (let i = 0; i < NODES; i += 1) blocks.push(`file.content "f${i}" {\n  destination = "${dir}/out/f${i}"\n  content = "{{param \`x\`}}"\n}`);
  return `${blocks.join('\n')}\n`;
}

test('loading - a client that accepts notices sees the load advance before the edges; the counts only grow', async (t) => {
  const cwd = tempDir(t);
  fs.writeFileSync(path.join(cwd, 'big.hcl'), bigModule(cwd));
  fs.writeFileSync(path.join(cwd, 'small.hcl'), 'file.content "a" {\n  destination = "a"\n  content = "a"\n}\n');
  const server = await serve(t, { cwd, workers: { threads: 1 } });
  const c = client(t, server);
  const order: string[] = [];
  const reports: LoadingProgress[] = [];
  let startEdges = 0;
  for await (const item of c.plan({ location: 'big.hcl' })) {
    if (order.at(-1) !== item.type) order.push(item.type);
    if (item.type === 'loading') reports.push(item.progress);
    if (item.type === 'start') startEdges = item.edges.length;
  }
  t.log(`${reports.length} loading reports`);
  t.true(reports.length >= 1, 'a 15,000-node load reports its progress');
  t.deepEqual(order, ['loading', 'start', 'node'], 'every report comes before the edges, and the edges before any node');
  // A parent edge for each node and the param, and an edge from each file to the param it looks up.
  t.is(startEdges, 2 * NODES + 1, 'the edges still arrive whole (as a notice, since the header went out early)');
  for (let i = 1; i < reports.length; i += 1) {
    const [a, b] = [reports[i - 1]!, reports[i]!];
    t.true(b.files >= a.files && b.nodes >= a.nodes && b.rendered >= a.rendered, JSON.stringify([a, b]));
  }
  const last = reports.at(-1)!;
  t.is(last.files, 1);
  t.true(last.nodes <= NODES + 2 && last.rendered <= last.nodes);

  const small: string[] = [];
  for await (const item of c.plan({ location: 'small.hcl' })) small.push(item.type);
  t.false(small.includes('loading'), 'a quick load says nothing');
});

test('loading - a request without accept_notices (the original\'s clients) gets no notice, and its headers as before', async (t) => {
  const cwd = tempDir(t);
  fs.writeFileSync(path.join(cwd, 'big.hcl'), bigModule(cwd));
  const server = await serve(t, { cwd, noToken: true, workers: { threads: 1 } });
  const response = await postStream(server.port, '/api/v1/machine/plan', { location: 'big.hcl' }, null);
  t.is(response.status, 200);
  t.false(response.lines.some((line) => JSON.stringify(line).includes('"loading"')));
  // Too many edges for a header, as before: the count of those left out.
  t.is(response.headers['grpc-metadata-edges-omitted'], String(2 * NODES + 1));
  // STARTED and FINISHED for the root, the param and each file.
  t.is(response.lines.length, 2 * (NODES + 2));
});
