/**
 * Every valid module travels: node names, param values and task output in any Unicode, over gRPC and
 * HTTP. Header values must be ASCII, so the `edges` header carries \uXXXX escapes (still JSON).
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { asciiJson } from '../../src/frontdoor/ascii-json.js';
import { client, serve, tempDir } from './helpers.js';
import { collect, postStream } from './streams.js';

const TOKEN = 'unicode-token';
const NAME = 'té-日本-ünï';
const VALUE = 'ça va? ünïcødé 🌍';

const MODULE = `param "greeting" {
  default = "x"
}

task "${NAME}" {
  check = "echo '{{param \`greeting\`}}'; exit 1"
  apply = "echo '{{param \`greeting\`}}' > out.txt"
}

task "after-${NAME}" {
  check   = "exit 0"
  apply   = "true"
  depends = ["task.${NAME}"]
}
`;

function workdir(t: import('ava').ExecutionContext): string {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, 'unicode.hcl'), MODULE);
  return dir;
}

test('asciiJson() - only printable ASCII, and it decodes to the same value', (t) => {
  const value = [{ source: `root/task.${NAME}`, dest: 'a\u007f\u0000"\\', attributes: ['é'] }];
  const text = asciiJson(value);
  t.regex(text, /^[\x20-\x7e]*$/);
  t.deepEqual(JSON.parse(text), value);
});

test('gRPC plan and apply - Unicode node names, param values and task output', async (t) => {
  const cwd = workdir(t);
  const server = await serve(t, { token: TOKEN, cwd });
  const c = client(t, server);
  const plan = await collect(c.plan({ location: 'unicode.hcl', params: { greeting: VALUE } }));
  t.true(plan.edges.some((e) => e.source === `root/task.after-${NAME}` && e.dest === `root/task.${NAME}`), JSON.stringify(plan.edges));
  const node = plan.events.find((e) => e.id === `root/task.${NAME}` && e.run === 'FINISHED');
  t.truthy(node, 'the Unicode node ran');
  t.true(JSON.stringify(node?.details).includes(VALUE), 'the check output keeps its Unicode');
  const apply = await collect(c.apply({ location: 'unicode.hcl', params: { greeting: VALUE } }));
  t.true(apply.events.some((e) => e.id === `root/task.${NAME}` && e.run === 'FINISHED'));
  t.is(fs.readFileSync(path.join(cwd, 'out.txt'), 'utf8'), `${VALUE}\n`);
});

test('HTTP plan - the Grpc-Metadata-Edges header is ASCII and decodes to the Unicode names', async (t) => {
  const cwd = workdir(t);
  const server = await serve(t, { token: TOKEN, cwd });
  const plan = await postStream(server.port, '/api/v1/machine/plan', { location: 'unicode.hcl', parameters: { greeting: VALUE } }, TOKEN);
  t.is(plan.status, 200);
  const raw = String(plan.headers['grpc-metadata-edges']);
  t.regex(raw, /^[\x20-\x7e]*$/);
  const edges = JSON.parse(raw) as Array<{ source: string; dest: string }>;
  t.true(edges.some((e) => e.source === `root/task.after-${NAME}` && e.dest === `root/task.${NAME}`));
  const finished = plan.lines.map((l) => l['result']).find((r) => r?.id === `root/task.${NAME}` && r?.run === 'FINISHED');
  t.true(JSON.stringify(finished).includes(VALUE));
});

test('gRPC - an error message in Unicode reaches the client intact', async (t) => {
  const cwd = tempDir(t);
  fs.writeFileSync(path.join(cwd, 'bad.hcl'), `task "ñ" {\n  check = "{{ bogus_ß }}"\n}\n`);
  const server = await serve(t, { token: TOKEN, cwd });
  const error = await t.throwsAsync(collect(client(t, server).plan({ location: 'bad.hcl' })));
  t.regex(String(error?.message), /bogus_ß/);
});
