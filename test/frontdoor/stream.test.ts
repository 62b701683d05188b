import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { client, serve, tempDir } from './helpers.js';
import { checkOrder, collect, postStream } from './streams.js';

const TOKEN = 'stream-token';

const RENDER = `param "message" {
  default = "Hello"
}

task "render" {
  check = "cat out.txt 2>/dev/null | grep -q '{{param \`message\`}}'"
  apply = "echo '{{param \`message\`}}' > out.txt"
}
`;

function workdir(t: import('ava').ExecutionContext): string {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, 'render.hcl'), RENDER);
  return dir;
}

test('gRPC plan - edges and run id first, then every node STARTED then FINISHED, numbered', async (t) => {
  const cwd = workdir(t);
  const server = await serve(t, { token: TOKEN, cwd });
  const result = await collect(client(t, server).plan({ location: 'render.hcl' }));
  t.truthy(result.runId);
  t.true(result.edges.some((e) => e.source === 'root' && e.dest === 'root/task.render' && e.attributes?.includes('parent') === true));
  t.is(checkOrder(result.events, result.seqs), undefined);
  const ids = new Set(result.events.map((e) => e.id));
  t.deepEqual([...ids].sort(), ['root', 'root/param.message', 'root/task.render']);
  t.is(result.events.at(-1)?.id, 'root', 'the root finishes last');
  const render = result.events.find((e) => e.id === 'root/task.render' && e.run === 'FINISHED');
  t.true(render?.details?.hasChanges);
  t.true(result.events.every((e) => e.stage === 'PLAN'));
  t.false(fs.existsSync(path.join(cwd, 'out.txt')), 'plan changes nothing');
});

test('gRPC apply - changes the machine and streams APPLY events; a second plan sees no change', async (t) => {
  const cwd = workdir(t);
  const server = await serve(t, { token: TOKEN, cwd });
  const c = client(t, server);
  const applied = await collect(c.apply({ location: 'render.hcl', params: { message: 'applied' } }));
  t.is(checkOrder(applied.events, applied.seqs), undefined);
  t.true(applied.events.every((e) => e.stage === 'APPLY'));
  t.is(fs.readFileSync(path.join(cwd, 'out.txt'), 'utf8'), 'applied\n');
  const again = await collect(c.plan({ location: 'render.hcl', params: { message: 'applied' } }));
  const render = again.events.find((e) => e.id === 'root/task.render' && e.run === 'FINISHED');
  t.false(render?.details?.hasChanges ?? true);
});

test('HTTP plan and apply - NDJSON results, Grpc-Metadata-Edges and run id headers', async (t) => {
  const cwd = workdir(t);
  const server = await serve(t, { token: TOKEN, cwd });
  const plan = await postStream(server.port, '/api/v1/machine/plan', { location: 'render.hcl' }, TOKEN);
  t.is(plan.status, 200);
  const edges = JSON.parse(String(plan.headers['grpc-metadata-edges'])) as unknown[];
  t.true(edges.length >= 2);
  t.truthy(plan.headers['grpc-metadata-run-id']);
  t.true(plan.lines.every((line) => line['result'] !== undefined));
  const first = plan.lines[0]!['result'];
  t.like(first, { stage: 'PLAN', run: 'STARTED' });
  t.deepEqual(first.meta, { id: first.id });
  const render = plan.lines.map((l) => l['result']).find((r) => r.id === 'root/task.render' && r.run === 'FINISHED');
  t.true(render.details.hasChanges);
  const apply = await postStream(server.port, '/api/v1/machine/apply', { location: 'render.hcl', parameters: { message: 'via-http' } }, TOKEN);
  t.is(apply.status, 200);
  t.true(apply.lines.every((line) => line['result']?.stage === 'APPLY'));
  t.is(fs.readFileSync(path.join(cwd, 'out.txt'), 'utf8'), 'via-http\n');
});

test('a module that cannot load fails before any event, on both transports', async (t) => {
  const cwd = workdir(t);
  const server = await serve(t, { token: TOKEN, cwd });
  const error = await t.throwsAsync(collect(client(t, server).plan({ location: 'missing.hcl' })));
  t.regex((error as unknown as { code: string }).code, /^CNV_ERR_/);
  const response = await postStream(server.port, '/api/v1/machine/plan', { location: 'missing.hcl' }, TOKEN);
  t.true(response.status >= 400);
  t.is(typeof response.lines[0]?.['error'], 'string');
});

test('inline module content (our LoadRequest.content) is planned without a file', async (t) => {
  const cwd = tempDir(t);
  const server = await serve(t, { token: TOKEN, cwd });
  const result = await collect(client(t, server).plan({ location: 'inline.hcl', content: RENDER, params: { message: 'x' } }));
  t.true(result.events.some((e) => e.id === 'root/task.render'));
});

test('paramsJson keeps non-string params', async (t) => {
  const cwd = tempDir(t);
  const server = await serve(t, { token: TOKEN, cwd });
  const module = 'param "n" {}\n\ntask "t" {\n  check = "echo {{param `n`}}; exit 1"\n  apply = "true"\n}\n';
  const result = await collect(client(t, server).plan({ location: 'm.hcl', content: module, paramsJson: { n: 42 } }));
  const task = result.events.find((e) => e.id === 'root/task.t' && e.run === 'FINISHED');
  t.true(task?.details?.messages.join('\n').includes('42'));
});

test('graph - vertices then edges over gRPC and HTTP', async (t) => {
  const cwd = workdir(t);
  const server = await serve(t, { token: TOKEN, cwd });
  const graph = await client(t, server).graph({ location: 'render.hcl' });
  t.truthy(graph.runId);
  t.deepEqual(graph.vertices.map((v) => v.id).sort(), ['root', 'root/param.message', 'root/task.render']);
  t.true(graph.edges.length >= 2);
  const overHttp = await postStream(server.port, '/api/v1/machine/graph', { location: 'render.hcl' }, TOKEN);
  const kinds = overHttp.lines.map((l) => (l['result'].vertex ? 'v' : 'e')).join('');
  t.regex(kinds, /^v+e+$/);
  const vertex = overHttp.lines[0]!['result'].vertex;
  t.notThrows(() => JSON.parse(Buffer.from(vertex.details, 'base64').toString('utf8')));
});

test('the engine fetches modules from its own token-protected server', async (t) => {
  const cwd = workdir(t);
  const server = await serve(t, { token: TOKEN, cwd, root: cwd });
  const url = `http://127.0.0.1:${server.port}/api/v1/resources/modules/render.hcl`;
  const result = await collect(client(t, server).apply({ location: url, params: { message: 'fetched' } }));
  t.true(result.events.some((e) => e.id === 'root/task.render'));
  t.is(fs.readFileSync(path.join(cwd, 'out.txt'), 'utf8'), 'fetched\n');
});

test('healthcheck - a plan pass then a health pass, each node twice', async (t) => {
  const cwd = workdir(t);
  const server = await serve(t, { token: TOKEN, cwd });
  const result = await collect(client(t, server).healthcheck({ location: 'render.hcl' }));
  t.is(checkOrder(result.events, result.seqs), undefined);
  const passes = new Set(result.events.map((e) => e.pass));
  t.deepEqual([...passes].sort(), [0, 1]);
  const firstHealth = result.events.findIndex((e) => e.pass === 1);
  t.true(result.events.slice(firstHealth).every((e) => e.pass === 1), 'the health pass follows the plan pass');
  t.true(result.events.filter((e) => e.pass === 1 && e.run === 'FINISHED').some((e) => e.details?.health !== undefined));
});
