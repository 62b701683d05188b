import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import test from 'ava';
import { checkLocation, ModuleRoot } from '../../src/frontdoor/modules.js';
import { mintToken } from '../../src/jwt.js';
import { client, request, serve, tempDir } from './helpers.js';
import { collect } from './streams.js';

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

test('ModuleRoot.read() - symlinks: loops, escapes by `..` and absolute targets inside the root', async (t) => {
  const { root, outside } = layout(t);
  fs.symlinkSync('loop-b', path.join(root, 'loop-a'));
  fs.symlinkSync('loop-a', path.join(root, 'loop-b'));
  fs.symlinkSync('../../secret.txt', path.join(root, 'sub', 'dotdot.hcl'));
  fs.symlinkSync('..', path.join(root, 'sub', 'parent'));
  fs.symlinkSync(path.join(root, 'sub'), path.join(root, 'abs-dir'));
  fs.symlinkSync('sub/../basic.hcl', path.join(root, 'relative-inside.hcl'));
  const modules = new ModuleRoot(root);
  await t.throwsAsync(modules.read('loop-a'), { code: 'CNV_ERR_MODULE_PATH' });
  await t.throwsAsync(modules.read('sub/dotdot.hcl'), { code: 'CNV_ERR_MODULE_PATH' });
  await t.throwsAsync(modules.read('sub/parent/up/secret.txt'), { code: 'CNV_ERR_MODULE_PATH' });
  t.is(await modules.read('sub/parent/basic.hcl'), MODULE);
  t.is(await modules.read('abs-dir/x.hcl'), MODULE);
  t.is(await modules.read('relative-inside.hcl'), MODULE);
  t.false(fs.readdirSync(outside).includes('loop-a'));
});

/** A FIFO, a socket, a device symlink and (when mknod is allowed) a device node, all inside the root. */
async function specialFiles(t: import('ava').ExecutionContext, root: string): Promise<string[]> {
  const made = ['fifo.hcl', 'socket.hcl', 'zero.hcl'];
  t.is(spawnSync('mkfifo', [path.join(root, 'fifo.hcl')]).status, 0, 'mkfifo');
  const socketServer = net.createServer();
  await new Promise<void>((resolve) => socketServer.listen(path.join(root, 'socket.hcl'), resolve));
  t.teardown(() => new Promise<void>((resolve) => socketServer.close(() => resolve())));
  fs.symlinkSync('/dev/zero', path.join(root, 'zero.hcl'));
  if (spawnSync('mknod', [path.join(root, 'null.hcl'), 'c', '1', '3']).status === 0) made.push('null.hcl');
  else t.log('mknod not permitted here: the device-node case is not run');
  return made;
}

test('ModuleRoot.read() - FIFOs, sockets and devices are refused at once, without blocking', async (t) => {
  const { root } = layout(t);
  const modules = new ModuleRoot(root);
  for (const name of await specialFiles(t, root)) {
    const error = await t.throwsAsync(modules.read(name), { code: 'CNV_ERR_MODULE_PATH' }, name);
    t.regex(error?.message ?? '', name === 'zero.hcl' ? /leaves the served root/ : /not a regular file/, name);
  }
  t.regex((await t.throwsAsync(modules.read('fifo.hcl')))?.message ?? '', /is a FIFO/);
});

test('GetModule - six requests on a FIFO are refused, and a module and a plan are served meanwhile', async (t) => {
  const { root } = layout(t);
  await specialFiles(t, root);
  const cwd = tempDir(t);
  fs.writeFileSync(path.join(cwd, 'hello.hcl'), 'task "hello" {\n  check = "exit 0"\n  apply = "true"\n}\n');
  const server = await serve(t, { token: TOKEN, root, cwd });
  const c = client(t, server);
  const started = Date.now();
  const grpcFifo = Array.from({ length: 3 }, () => c.getModule('fifo.hcl').then(() => 'served', (e: { code?: string }) => e.code));
  const httpFifo = Array.from({ length: 3 }, () => get(server, 'fifo.hcl').then((r) => r.status));
  const [grpcCodes, httpStatuses] = await Promise.all([Promise.all(grpcFifo), Promise.all(httpFifo)]);
  t.deepEqual(grpcCodes, ['CNV_ERR_MODULE_PATH', 'CNV_ERR_MODULE_PATH', 'CNV_ERR_MODULE_PATH']);
  t.deepEqual(httpStatuses, [403, 403, 403]);
  t.is(await c.getModule('basic.hcl'), MODULE);
  const plan = await collect(c.plan({ location: 'hello.hcl' }));
  t.true(plan.events.some((e) => e.id === 'root/task.hello'));
  t.log(`six FIFO refusals, a module and a plan in ${Date.now() - started} ms`);
});
