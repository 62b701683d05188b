import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { checkLocation, ModuleRoot } from '../../src/frontdoor/modules.js';
import { mintToken } from '../../src/jwt.js';
import { client, request, serve, tempDir } from './helpers.js';

const TOKEN = 'modules-token';
const MODULE = 'param "message" { default = "hi" }\n';

function layout(t: import('ava').ExecutionContext): { root: string; outside: string } {
  const base = tempDir(t);
  const root = path.join(base, 'root');
  fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(root, 'basic.hcl'), MODULE);
  fs.writeFileSync(path.join(root, 'sub', 'x.hcl'), MODULE);
  fs.writeFileSync(path.join(base, 'secret.txt'), 'top secret\n');
  fs.symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'escape.hcl'));
  fs.symlinkSync(base, path.join(root, 'up'));
  fs.symlinkSync(path.join(root, 'basic.hcl'), path.join(root, 'inside-link.hcl'));
  return { root, outside: base };
}

async function get(server: { port: number }, location: string, accept = 'text/plain') {
  return request(server, 'GET', `/api/v1/resources/modules/${location}`, {
    headers: { Authorization: `Bearer ${await mintToken(TOKEN)}`, Accept: accept },
  });
}

test('checkLocation() - refuses traversal shapes', (t) => {
  for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'a\\..\\x', '%2e%2e/x', 'a%2Fb', 'x\0y', '']) {
    t.throws(() => checkLocation(bad), { code: 'CNV_ERR_MODULE_PATH' }, bad);
  }
  t.is(checkLocation('./sub//x.hcl'), 'sub/x.hcl');
});

test('ModuleRoot.read() - refuses symlinks that leave the root, follows those inside', async (t) => {
  const { root } = layout(t);
  const modules = new ModuleRoot(root);
  await t.throwsAsync(modules.read('escape.hcl'), { code: 'CNV_ERR_MODULE_PATH' });
  await t.throwsAsync(modules.read('up/secret.txt'), { code: 'CNV_ERR_MODULE_PATH' });
  t.is(await modules.read('inside-link.hcl'), MODULE);
  await t.throwsAsync(modules.read('missing.hcl'), { code: 'CNV_ERR_MODULE_NOT_FOUND' });
  await t.throwsAsync(modules.read('sub'), { code: 'CNV_ERR_MODULE_NOT_FOUND' });
});

test('HTTP modules - serves files and subdirectories, raw or as JSON', async (t) => {
  const { root } = layout(t);
  const server = await serve(t, { token: TOKEN, root });
  const raw = await get(server, 'basic.hcl');
  t.is(raw.status, 200);
  t.is(raw.body, MODULE);
  t.regex(String(raw.headers['content-type']), /^text\/plain/);
  const json = await get(server, 'sub/x.hcl', 'application/json');
  t.deepEqual(JSON.parse(json.body), { content: MODULE });
});

test('HTTP modules - every traversal attempt is refused and the server keeps serving', async (t) => {
  const { root } = layout(t);
  const server = await serve(t, { token: TOKEN, root });
  const attempts = [
    '..%2Fsecret.txt',
    '%2e%2e/secret.txt',
    '%2E%2E%2Fsecret.txt',
    'sub/..%2F..%2Fsecret.txt',
    '%252e%252e%252fsecret.txt',
    '%2Fetc%2Fpasswd',
    '/etc/passwd',
    'escape.hcl',
    'up/secret.txt',
    '..%5Csecret.txt',
    'x%00.hcl',
  ];
  for (const attempt of attempts) {
    const response = await get(server, attempt);
    t.true(response.status === 403 || response.status === 404, `${attempt} -> ${response.status}`);
    t.false(response.body.includes('top secret'), attempt);
    t.false(response.body.includes('root:'), attempt);
  }
  t.is((await get(server, 'basic.hcl')).status, 200);
});

test('gRPC GetModule - serves and refuses the same way', async (t) => {
  const { root } = layout(t);
  const server = await serve(t, { token: TOKEN, root });
  const c = client(t, server);
  t.is(await c.getModule('sub/x.hcl'), MODULE);
  await t.throwsAsync(c.getModule('../secret.txt'), { code: 'CNV_ERR_MODULE_PATH', message: 'cannot use relative paths' });
  await t.throwsAsync(c.getModule('/etc/passwd'), { code: 'CNV_ERR_MODULE_PATH' });
  await t.throwsAsync(c.getModule('escape.hcl'), { code: 'CNV_ERR_MODULE_PATH' });
});

test('module serving is off without a root', async (t) => {
  const server = await serve(t, { token: TOKEN });
  const response = await get(server, 'basic.hcl');
  t.is(response.status, 412);
  t.regex(response.body, /module download not enabled/);
  await t.throwsAsync(client(t, server).getModule('basic.hcl'), { code: 'CNV_ERR_MODULE_SERVING_DISABLED' });
});
