import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { jwtVerify } from 'jose';
import { graphJob, validateJob } from '../../src/graph/engine.js';
import { ConvergeError } from '../../src/errors.js';
import { spec, tempDir } from './engine/helpers.js';

async function loadError(t: import('ava').ExecutionContext, files: Record<string, string>, main = 'main.hcl') {
  const dir = tempDir(t, files);
  const error = await t.throwsAsync(validateJob(spec(dir, main)));
  t.true(error instanceof ConvergeError);
  return error as ConvergeError;
}

test('load - ids nest by module and by switch/case', async (t) => {
  const dir = tempDir(t, {
    'main.hcl': 'module "sub.hcl" "m" {}\nswitch "s" {\n  case "true" "c" {\n    task "in" {\n      check = "true"\n      apply = "true"\n    }\n  }\n}\n',
    'sub.hcl': 'task.query "q" {\n  query = "true"\n}\n',
  });
  const graph = await graphJob(spec(dir, 'main.hcl'));
  t.deepEqual(graph.vertices.map((v) => v.id).sort(), [
    'root',
    'root/macro.switch.s',
    'root/macro.switch.s/macro.case.c',
    'root/macro.switch.s/macro.case.c/task.in',
    'root/module.m',
    'root/module.m/task.query.q',
  ]);
  t.is(graph.vertices.find((v) => v.id === 'root/module.m/task.query.q')?.kind, 'task.query');
});

test('load - key-count rules name the file, line and column', async (t) => {
  const missingName = await loadError(t, { 'main.hcl': '\ntask {\n}\n' });
  t.is(missingName.code, 'CNV_ERR_LOAD_STRUCTURE');
  t.regex(missingName.message, /^main\.hcl:2:1: missing name$/);
  const module = await loadError(t, { 'main.hcl': 'module "x.hcl" {}\n' });
  t.regex(module.message, /main\.hcl:1:1: missing source or name in module call/);
  const tooMany = await loadError(t, { 'main.hcl': 'task "a" "b" {}\n' });
  t.regex(tooMany.message, /too many keys/);
  const badCase = await loadError(t, { 'main.hcl': 'switch "s" {\n  case "true" {}\n}\n' });
  t.regex(badCase.message, /main\.hcl:2:3: missing name or predicate in case/);
});

test('load - resource names follow the original rules', async (t) => {
  const spaces = await loadError(t, { 'main.hcl': 'task "a b" {}\n' });
  t.regex(spaces.message, /resource name may not contain spaces/);
  const chars = await loadError(t, { 'main.hcl': 'task "a$b" {}\n' });
  t.regex(chars.message, /invalid character\(s\) in resource name: \[\$\]; valid characters are unicode letters/);
  const dir = tempDir(t, { 'main.hcl': 'task "ünï-cödé_1.2" {\n  check = "true"\n  apply = "true"\n}\n' });
  t.is((await validateJob(spec(dir, 'main.hcl'))).nodes, 2);
});

test('load - duplicate ids and unknown kinds are load errors', async (t) => {
  const dup = await loadError(t, { 'main.hcl': 'task "a" {\n  check = "true"\n}\ntask "a" {\n  check = "true"\n}\n' });
  t.regex(dup.message, /main\.hcl:4:1: duplicate resource task\.a/);
  const kind = await loadError(t, { 'main.hcl': 'nosuch.kind "x" {}\n' });
  t.is(kind.code, 'CNV_ERR_LOAD_RESOURCE_TYPE');
  t.regex(kind.message, /"nosuch\.kind" is not a valid resource type in "nosuch\.kind\.x"/);
});

test('load - an unknown kind suggests the closest kinds, as unknown fields do', async (t) => {
  const typo = await loadError(t, { 'main.hcl': '\n\nfile.contnt "x" {\n  destination = "d"\n}\n' });
  t.is(typo.code, 'CNV_ERR_LOAD_RESOURCE_TYPE');
  t.regex(typo.message, /main\.hcl:3:1: "file\.contnt" is not a valid resource type in "file\.contnt\.x"\. Maybe you meant: file\.content$/);
  const short = await loadError(t, { 'main.hcl': 'tsk "x" {}\n' });
  t.regex(short.message, /Maybe you meant: task$/);
  const structural = await loadError(t, { 'main.hcl': 'parm "x" {}\n' });
  t.regex(structural.message, /Maybe you meant: param$/);
  // Nothing close: the original's text, without a guess.
  const far = await loadError(t, { 'main.hcl': 'nosuch.kind "x" {}\n' });
  t.regex(far.message, /in "nosuch\.kind\.x"$/);
});

test('load - switch restrictions', async (t) => {
  const modules = await loadError(t, { 'main.hcl': 'switch "s" {\n  case "true" "c" {\n    module "x.hcl" "m" {}\n  }\n}\n' });
  t.regex(modules.message, /modules not supported in conditionals/);
  const nested = await loadError(t, {
    'main.hcl': 'switch "s" {\n  case "true" "c" {\n    switch "t" {\n      default {}\n    }\n  }\n}\n',
  });
  t.regex(nested.message, /may not be nested/);
  const named = await loadError(t, { 'main.hcl': 'switch "s" {\n  case "true" "default" {}\n}\n' });
  t.regex(named.message, /may not be named "default"/);
});

test('load - module sources: unknown schemes and missing files', async (t) => {
  const ftp = await loadError(t, { 'main.hcl': 'module "ftp://host/x.hcl" "m" {}\n' });
  t.is(ftp.code, 'CNV_ERR_LOAD_PROTOCOL');
  t.regex(ftp.message, /protocol "ftp" is not implemented/);
  const missing = await loadError(t, { 'main.hcl': 'module "nothere.hcl" "m" {}\n' });
  t.is(missing.code, 'CNV_ERR_LOAD_NOT_FOUND');
  t.regex(missing.message, /^main\.hcl:1:1: open .*nothere\.hcl: no such file or directory$/);
});

test('load - http modules: Accept header, bearer token per origin, relative includes, status errors', async (t) => {
  const seen: { url: string; accept: string | undefined; auth: string | undefined }[] = [];
  const files: Record<string, string> = {
    '/mods/top.hcl': 'module "inner.hcl" "inner" {}\n',
    '/mods/inner.hcl': 'task "t" {\n  check = "true"\n  apply = "true"\n}\n',
    '/mods/broken.hcl': 'module "gone.hcl" "gone" {}\n',
  };
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', accept: req.headers.accept, auth: req.headers.authorization });
    const body = files[req.url ?? ''];
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'text/plain' }).end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = tempDir(t);

  const graph = await graphJob({ ...spec(dir, `${origin}/mods/top.hcl`), moduleTokens: { [origin]: 's3cret' } });
  t.true(graph.vertices.some((v) => v.id === 'root/module.inner/task.t'));
  t.deepEqual(seen.map((s) => s.url), ['/mods/top.hcl', '/mods/inner.hcl']);
  for (const request of seen) {
    t.is(request.accept, 'text/plain');
    t.regex(request.auth ?? '', /^BEARER /);
    const { payload } = await jwtVerify(request.auth!.slice('BEARER '.length), new TextEncoder().encode('s3cret'));
    t.is((payload.exp ?? 0) - (payload.iat ?? 0), 30);
  }

  const failed = await t.throwsAsync(validateJob(spec(dir, `${origin}/mods/broken.hcl`)));
  t.is((failed as ConvergeError).code, 'CNV_ERR_LOAD_FETCH');
  t.regex(failed!.message, new RegExp(`Fetching ${origin}/mods/gone\\.hcl failed: 404`));
  t.is(seen.at(-1)?.auth, undefined);
});

test('load - inline content resolves modules against its location', async (t) => {
  const dir = tempDir(t, { 'lib/sub.hcl': 'task "t" {\n  check = "true"\n  apply = "true"\n}\n' });
  const graph = await graphJob({ ...spec(dir, 'lib/main.hcl'), content: 'module "sub.hcl" "s" {}\n' });
  t.true(graph.vertices.some((v) => v.id === 'root/module.s/task.t'));
});

test('validate - renders and decodes every node: unknown fields and missing params are caught', async (t) => {
  const typo = await loadError(t, { 'main.hcl': 'file.content "x" {\n  destinaton = "x.txt"\n}\n' });
  t.is(typo.code, 'CNV_ERR_FIELD_UNKNOWN');
  t.regex(typo.message, /main\.hcl:\d+:\d+: .*I don't have a field named "destinaton"\. Maybe you meant: destination/s);
  const required = await loadError(t, { 'main.hcl': 'param "test" {}\n' });
  t.is(required.code, 'CNV_ERR_PARAM_REQUIRED');
  t.regex(required.message, /test param is required/);
});

test('load - a kind that declares a `group` field (lvm.logicalvolume) gets it rendered; it is still the serial group', async (t) => {
  const lv = (size: string) =>
    'param "vg" {\n  default = "vg0"\n}\nlvm.logicalvolume "data" {\n  group = "{{param `vg`}}"\n  name  = "data"\n' +
    `  size  = "${size}"\n}\n`;
  await t.notThrowsAsync(validateJob(spec(tempDir(t, { 'main.hcl': lv('10G') }), 'main.hcl')));
  const bad = await loadError(t, { 'main.hcl': lv('10x') });
  t.is(bad.code, 'CNV_ERR_FIELD_INVALID');
  t.regex(bad.message, /size: cannot parse size "10x"/);
});
