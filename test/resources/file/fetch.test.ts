import test, { type ExecutionContext } from 'ava';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fileFetch } from '../../../src/resources/file/fetch.js';
import { StatusLevel } from '../../../src/resources/types.js';
import { prepare, runContext, tempDir } from '../system-helpers.js';

const BODY = Buffer.from('converge fetched me\n'.repeat(2000));
const digest = (type: string, data: Buffer): string => createHash(type).update(data).digest('hex');

/** A loopback server whose routes misbehave on purpose. */
async function server(t: ExecutionContext): Promise<string> {
  const srv = http.createServer((req, res) => {
    switch (req.url) {
      case '/file.txt':
        res.writeHead(200, { 'content-length': BODY.length });
        res.end(BODY);
        return;
      case '/redirect':
        res.writeHead(302, { location: '/file.txt' });
        res.end();
        return;
      case '/dropped':
        // Promises the whole body, sends a part, then cuts the connection.
        res.writeHead(200, { 'content-length': BODY.length });
        res.write(BODY.subarray(0, 1000), () => req.socket.destroy());
        return;
      case '/stall':
        // Sends a part and then nothing: only the inactivity timeout ends it.
        res.writeHead(200, { 'content-length': BODY.length });
        res.write(BODY.subarray(0, 1000));
        return;
      case '/silent':
        return; // never answers
      default:
        res.writeHead(404);
        res.end('not found');
    }
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    srv.closeAllConnections();
    srv.close();
  });
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
}

function leftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.includes('converge-tmp'));
}

test('fetches over http with a sha256 hash; a second plan finds the file in place', async (t) => {
  const base = await server(t);
  const dir = tempDir(t);
  const dest = path.join(dir, 'sub/out.txt');
  const fields = { source: `${base}/file.txt`, destination: dest, hash_type: 'sha256', hash: digest('sha256', BODY) };
  const task = await prepare(fileFetch, fields);
  const planned = await task.check(runContext());
  t.is(planned.level, StatusLevel.WillChange);
  t.deepEqual(planned.diffs['destination'], { original: '<absent>', current: dest, changes: true });

  const applied = await task.apply(runContext());
  t.is(applied.error, undefined);
  t.deepEqual(applied.messages, ['fetched successfully']);
  t.deepEqual(fs.readFileSync(dest), BODY);

  const fresh = await prepare(fileFetch, fields);
  const again = await fresh.check(runContext());
  t.is(again.level, StatusLevel.NoChange);
  t.deepEqual(again.messages, ['file exists']);
  t.deepEqual(fresh.exported(), { ...fields, force: false });
});

for (const type of ['md5', 'sha1', 'sha512'] as const) {
  test(`hash_type ${type} is checked`, async (t) => {
    const base = await server(t);
    const dest = path.join(tempDir(t), 'out');
    const task = await prepare(fileFetch, { source: `${base}/redirect`, destination: dest, hash_type: type, hash: digest(type, BODY) });
    t.is((await task.apply(runContext())).error, undefined);
    t.deepEqual(fs.readFileSync(dest), BODY);
  });
}

test('a download whose hash does not match is discarded and the destination is not created', async (t) => {
  const base = await server(t);
  const dir = tempDir(t);
  const dest = path.join(dir, 'out.txt');
  const task = await prepare(fileFetch, { source: `${base}/file.txt`, destination: dest, hash_type: 'md5', hash: 'f'.repeat(32) });
  const applied = await task.apply(runContext());
  t.is(applied.level, StatusLevel.Fatal);
  t.is(applied.error, `checksum mismatch: expected md5 ${'f'.repeat(32)}, got ${digest('md5', BODY)}`);
  t.false(fs.existsSync(dest));
  t.deepEqual(leftovers(dir), []);
});

test('an existing file with the wrong hash: CantChange without force, replaced with force', async (t) => {
  const base = await server(t);
  const dir = tempDir(t);
  const dest = path.join(dir, 'out.txt');
  fs.writeFileSync(dest, 'old\n', { mode: 0o640 });
  const fields = { source: `${base}/file.txt`, destination: dest, hash_type: 'sha1', hash: digest('sha1', BODY) };
  const refused = await (await prepare(fileFetch, fields)).check(runContext());
  t.is(refused.level, StatusLevel.CantChange);
  t.is(refused.error, 'will not attempt fetch: checksum mismatch');
  t.deepEqual(refused.messages, ['checksum mismatch, use the "force" option to replace']);

  const forced = await prepare(fileFetch, { ...fields, force: true });
  const plan = await forced.check(runContext());
  t.is(plan.level, StatusLevel.WillChange);
  t.deepEqual(plan.diffs['checksum'], { original: digest('sha1', Buffer.from('old\n')), current: fields.hash, changes: true });
  await forced.apply(runContext());
  t.deepEqual(fs.readFileSync(dest), BODY);
  t.is(fs.statSync(dest).mode & 0o777, 0o640, 'a replaced file keeps its mode');
  t.is((await forced.check(runContext())).level, StatusLevel.NoChange);
});

test('without a hash an existing file counts as done; force fetches it once per run', async (t) => {
  const base = await server(t);
  const dest = path.join(tempDir(t), 'out.txt');
  fs.writeFileSync(dest, 'old\n');
  const plain = await (await prepare(fileFetch, { source: `${base}/file.txt`, destination: dest })).check(runContext());
  t.is(plain.level, StatusLevel.NoChange);
  t.deepEqual(plain.messages, ['file exists']);

  const forced = await prepare(fileFetch, { source: `${base}/file.txt`, destination: dest, force: true });
  const plan = await forced.check(runContext());
  t.deepEqual(plan.diffs['destination'], { original: '<force fetch>', current: dest, changes: true });
  t.deepEqual(plan.messages, ['file exists, will fetch due to "force"']);
  await forced.apply(runContext());
  t.deepEqual(fs.readFileSync(dest), BODY);
  // The engine's re-check after apply must not report the same forced change again.
  t.is((await forced.check(runContext())).level, StatusLevel.NoChange);
});

test('a 404 fails the node and leaves nothing behind', async (t) => {
  const base = await server(t);
  const dir = tempDir(t);
  const dest = path.join(dir, 'out.txt');
  const applied = await (await prepare(fileFetch, { source: `${base}/missing`, destination: dest })).apply(runContext());
  t.is(applied.level, StatusLevel.Fatal);
  t.is(applied.error, 'failed to fetch: bad response code: 404');
  t.false(fs.existsSync(dest));
  t.deepEqual(leftovers(dir), []);
});

test('a dropped connection never leaves a partial file, and an existing file survives it', async (t) => {
  const base = await server(t);
  const dir = tempDir(t);
  const dest = path.join(dir, 'out.txt');
  const fresh = await (await prepare(fileFetch, { source: `${base}/dropped`, destination: dest })).apply(runContext());
  t.is(fresh.level, StatusLevel.Fatal);
  t.regex(fresh.error ?? '', /^failed to fetch: /);
  t.false(fs.existsSync(dest));

  fs.writeFileSync(dest, 'keep me\n');
  const forced = await (await prepare(fileFetch, { source: `${base}/dropped`, destination: dest, force: true })).apply(runContext());
  t.is(forced.level, StatusLevel.Fatal);
  t.is(fs.readFileSync(dest, 'utf8'), 'keep me\n');
  t.deepEqual(leftovers(dir), []);
});

for (const route of ['stall', 'silent']) {
  test(`a ${route} server hits the timeout`, async (t) => {
    const base = await server(t);
    const dir = tempDir(t);
    const dest = path.join(dir, 'out.txt');
    const task = await prepare(fileFetch, { source: `${base}/${route}`, destination: dest, timeout: 300 });
    const applied = await task.apply(runContext());
    t.is(applied.level, StatusLevel.Fatal);
    t.is(applied.error, 'failed to fetch: no data received for 0.3s (timeout)');
    t.false(fs.existsSync(dest));
    t.deepEqual(leftovers(dir), []);
  });
}

test('cancelling the run stops the download without a partial file', async (t) => {
  const base = await server(t);
  const dir = tempDir(t);
  const dest = path.join(dir, 'out.txt');
  const controller = new AbortController();
  const task = await prepare(fileFetch, { source: `${base}/stall`, destination: dest });
  const running = task.apply(runContext(process.cwd(), controller.signal));
  controller.abort(new Error('job cancelled'));
  const result = await running;
  t.is(result.level, StatusLevel.Fatal);
  t.false(fs.existsSync(dest));
  t.deepEqual(leftovers(dir), []);
});

test('file sources: a file URL and a path relative to the working directory', async (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, 'src.txt'), BODY);
  const viaUrl = await prepare(fileFetch, { source: pathToFileURL(path.join(dir, 'src.txt')).href, destination: path.join(dir, 'a') });
  await viaUrl.apply(runContext());
  t.deepEqual(fs.readFileSync(path.join(dir, 'a')), BODY);
  const relative = await prepare(fileFetch, { source: 'src.txt', destination: 'b', hash_type: 'sha256', hash: digest('sha256', BODY) }, { cwd: dir });
  t.is((await relative.apply(runContext(dir))).error, undefined);
  t.deepEqual(fs.readFileSync(path.join(dir, 'b')), BODY);
  const missing = await prepare(fileFetch, { source: 'nope.txt', destination: 'c' }, { cwd: dir });
  const failed = await missing.apply(runContext(dir));
  t.is(failed.level, StatusLevel.Fatal);
  t.regex(failed.error ?? '', /^failed to fetch: ENOENT/);
});

test('a directory destination cannot change', async (t) => {
  const dir = tempDir(t);
  const status = await (await prepare(fileFetch, { source: 'http://127.0.0.1:9/x', destination: dir })).check(runContext());
  t.is(status.level, StatusLevel.CantChange);
  t.is(status.error, `invalid destination "${dir}", cannot be directory`);
});

test('prepare refuses unknown schemes and bad hash pairs, naming the field', async (t) => {
  const scheme = await t.throwsAsync(prepare(fileFetch, { source: 'ftp://example.org/x', destination: '/tmp/x' }));
  t.regex(scheme?.message ?? '', /protocol "ftp" is not implemented/);
  t.like((scheme as { details?: unknown }).details, { field: 'source' });
  const hash = await t.throwsAsync(prepare(fileFetch, { source: '/x', destination: '/tmp/x', hash_type: 'sha256', hash: 'zz' }));
  t.regex(hash?.message ?? '', /"hash" is invalid length for sha256/);
  const hex = await t.throwsAsync(prepare(fileFetch, { source: '/x', destination: '/tmp/x', hash_type: 'md5', hash: 'z'.repeat(32) }));
  t.regex(hex?.message ?? '', /"hash" must be hexadecimal/);
});
