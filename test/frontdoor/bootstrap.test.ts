import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { mintToken } from '../../src/jwt.js';
import { freePort } from '../e2e/run-cli.js';
import { request, serve, tempDir } from './helpers.js';

const run = promisify(execFile);
// build/test/frontdoor/ -> repository root
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BINARY = path.join(ROOT, 'build', 'converge');
const TOKEN = 'bootstrap-token';

/**
 * The self-contained binary; built here when no earlier build left one (about a minute). When it builds,
 * `printed` is what `npm run build:binary` would show: one JSON line, no warnings.
 */
function ensureBinary(): { binary: string; printed?: { stdout: string; stderr: string } } {
  if (fs.existsSync(BINARY) && !olderThanBuild(BINARY)) return { binary: BINARY };
  const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build-binary.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`build-binary failed: ${built.stderr}`);
  return { binary: BINARY, printed: { stdout: built.stdout, stderr: built.stderr } };
}

test('self-serve bootstrap: bootstrap.sh downloads, verifies and installs a binary that runs apply --local', async (t) => {
  t.timeout(600_000);
  const { binary, printed } = ensureBinary();
  if (printed !== undefined) {
    t.is(printed.stderr, '', 'build:binary prints no warnings');
    t.regex(printed.stdout, /^\{"name":"build-binary".*\}\n$/);
  }
  const server = await serve(t, { token: TOKEN, selfServe: binary });
  const dir = tempDir(t);
  const script = await request(server, 'GET', '/bootstrap.sh');
  t.is(script.status, 200);
  fs.writeFileSync(path.join(dir, 'bootstrap.sh'), script.body);
  const installDir = path.join(dir, 'bin');
  const installed = await run('sh', [path.join(dir, 'bootstrap.sh')], {
    env: { ...process.env, CONVERGE_RPC_TOKEN: TOKEN, CONVERGE_INSTALL_DIR: installDir },
    maxBuffer: 1 << 20,
  });
  t.regex(installed.stdout, /installed .*converge/);
  const fetched = path.join(installDir, 'converge');
  const digest = createHash('sha256').update(fs.readFileSync(fetched)).digest('hex');
  t.is(digest, createHash('sha256').update(fs.readFileSync(binary)).digest('hex'));

  const version = await run(fetched, ['version'], { env: { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache') } });
  t.regex(version.stdout, /^converge /);

  const work = path.join(dir, 'work');
  fs.mkdirSync(work);
  fs.writeFileSync(path.join(work, 'two.hcl'), 'file.content "a" {\n  destination = "a.txt"\n  content = "A"\n}\n\nfile.content "b" {\n  destination = "b.txt"\n  content = "B"\n}\n');
  const port = await freePort();
  await run(fetched, ['apply', '--local', '--local-addr', `127.0.0.1:${port}`, 'two.hcl'], {
    cwd: work,
    env: { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache') },
  });
  t.is(fs.readFileSync(path.join(work, 'a.txt'), 'utf8'), 'A');
  t.is(fs.readFileSync(path.join(work, 'b.txt'), 'utf8'), 'B');
});

test('self-serve: gzip when accepted, sha256 beside it, auth required', async (t) => {
  t.timeout(600_000);
  const { binary } = ensureBinary();
  const server = await serve(t, { token: TOKEN, selfServe: binary });
  const expected = createHash('sha256').update(fs.readFileSync(binary)).digest('hex');
  const auth = { Authorization: `Bearer ${await mintToken(TOKEN)}` };
  const sum = await request(server, 'GET', '/api/v1/resources/binary.sha256', { headers: auth });
  t.is(sum.body, `${expected}  converge\n`);
  t.is((await request(server, 'GET', '/api/v1/resources/binary')).status, 401);
  const head = await new Promise<{ encoding?: string; sha?: string }>((resolve, reject) => {
    import('node:http').then(({ default: http }) => {
      const req = http.get({ host: '127.0.0.1', port: server.port, path: '/api/v1/resources/binary', headers: { ...auth, 'Accept-Encoding': 'gzip' } }, (res) => {
        resolve({ encoding: res.headers['content-encoding'], sha: res.headers['x-converge-sha256'] as string });
        res.destroy();
      });
      req.on('error', reject);
    }, reject);
  });
  t.is(head.encoding, 'gzip');
  t.is(head.sha, expected);
});

test('apply --local on a busy port fails clearly instead of talking to whatever listens', async (t) => {
  t.timeout(600_000);
  const { binary } = ensureBinary();
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, 'm.hcl'), 'task "t" {\n  check = "exit 0"\n  apply = "true"\n}\n');
  const blocker = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as net.AddressInfo).port;
  const error = await t.throwsAsync(
    run(binary, ['plan', '--local', '--local-addr', `127.0.0.1:${port}`, 'm.hcl'], {
      cwd: dir,
      env: { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache') },
    }),
  );
  const failed = error as unknown as { code: number; stderr: string };
  t.is(failed.code, 1);
  t.regex(failed.stderr, /already in use/);
});

/** True when any compiled source is newer than the binary, which would then test stale code. */
function olderThanBuild(file: string): boolean {
  const built = fs.statSync(file).mtimeMs;
  const newer = (dir: string): boolean =>
    fs.readdirSync(dir, { withFileTypes: true }).some((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? newer(full) : entry.name.endsWith('.js') && fs.statSync(full).mtimeMs > built;
    });
  return newer(path.join(ROOT, 'build', 'src'));
}
