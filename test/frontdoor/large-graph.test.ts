import test from 'ava';
import { MAX_EDGES_HEADER_BYTES } from '../../src/frontdoor/executor.js';
import { client, request, serve, tempDir } from './helpers.js';
import { collect } from './streams.js';

const TOKEN = 'large-graph-token';
const NODES = 800;

/** A chain of file.content nodes whose edge list is far larger than a header may carry. */
function chainModule(): string {
  const blocks: string[] = [];
  for (let i = 0; i < NODES; i++) {
    const depends = i === 0 ? '' : `\n  depends     = ["file.content.node-${i - 1}"]`;
    blocks.push(`file.content "node-${i}" {\n  destination = "out/node-${i}.txt"\n  content     = "${i}"${depends}\n}\n`);
  }
  return blocks.join('\n');
}

test('gRPC plan of a large graph - edges too big for a header arrive as a notice; every node streams', async (t) => {
  const cwd = tempDir(t);
  const server = await serve(t, { token: TOKEN, cwd });
  const module = chainModule();
  const result = await collect(client(t, server).plan({ location: 'big.hcl', content: module }));
  const dependencyEdges = result.edges.filter((e) => e.attributes === null || !e.attributes.includes('parent'));
  t.is(dependencyEdges.length, NODES - 1);
  t.true(Buffer.byteLength(JSON.stringify(result.edges)) > MAX_EDGES_HEADER_BYTES, 'the test graph must exceed the header limit');
  t.is(result.events.filter((e) => e.run === 'FINISHED').length, NODES + 1);
});

test('HTTP plan of a large graph - the header says how many edges it left out; the stream completes', async (t) => {
  const cwd = tempDir(t);
  const server = await serve(t, { token: TOKEN, cwd });
  const response = await request(server, 'POST', `/api/v1/machine/plan?jwt=${await mint(TOKEN)}`, {
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ location: 'big.hcl', content: chainModule() }),
  });
  t.is(response.status, 200);
  t.is(response.headers['grpc-metadata-edges'], undefined);
  t.true(Number(response.headers['grpc-metadata-edges-omitted']) > NODES);
  const lines = response.body.trim().split('\n').map((line) => JSON.parse(line) as { result?: { run?: string } });
  t.is(lines.filter((l) => l.result?.run === 'FINISHED').length, NODES + 1);
});

async function mint(key: string): Promise<string> {
  const { mintToken } = await import('../../src/jwt.js');
  return mintToken(key);
}
