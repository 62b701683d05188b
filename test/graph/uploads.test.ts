/**
 * Uploaded modules (graph/uploads.ts): the client's walk of a module's local includes, the checks of
 * the keys and the size, and the loader reading includes from `files` instead of the file system.
 * Real files in temp dirs.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { graphJob } from '../../src/graph/engine.js';
import { checkUpload, checkUploadKey, collectUpload, uploadLimitText } from '../../src/graph/uploads.js';
import { ConvergeError } from '../../src/errors.js';
import { MAX_UPLOAD_BYTES } from '../../src/defaults.js';
import { ROOT, spec, tempDir } from './engine/helpers.js';

const UPLOAD_FIXTURES = path.join(ROOT, 'test/fixtures/upload');

function fixtureFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of ['main.hcl', 'common.hcl', 'escape.hcl', 'lib/write.hcl', 'lib/more.hcl']) {
    files[name] = fs.readFileSync(path.join(UPLOAD_FIXTURES, name), 'utf8');
  }
  return files;
}

test('collectUpload() - sends every local include once, keyed relative to the top module, and leaves remote ones out', async (t) => {
  const files = fixtureFiles();
  const dir = tempDir(t, {
    ...files,
    // Included twice (from the top and from lib/write.hcl): one entry.
    'main.hcl': `${files['main.hcl']!}\nmodule "common.hcl" "again" {\n  params = { dir = "x" }\n}\nmodule "http://127.0.0.1:1/remote.hcl" "r" {}\n`,
  });
  const upload = await collectUpload('main.hcl', dir);
  t.is(upload.content, fs.readFileSync(path.join(dir, 'main.hcl'), 'utf8'));
  t.deepEqual(Object.keys(upload.files).sort(), ['common.hcl', 'lib/more.hcl', 'lib/write.hcl']);
  t.is(upload.files['lib/more.hcl'], files['lib/more.hcl']);
  const expected = ['main.hcl', 'common.hcl', 'lib/write.hcl', 'lib/more.hcl'].reduce(
    (sum, name) => sum + Buffer.byteLength(fs.readFileSync(path.join(dir, name))) + (name === 'main.hcl' ? 0 : Buffer.byteLength(name)),
    0,
  );
  t.is(upload.bytes, expected);
  // From another directory, the keys stay relative to the top module's directory.
  const fromParent = await collectUpload(path.join(path.basename(dir), 'main.hcl'), path.dirname(dir));
  t.deepEqual(Object.keys(fromParent.files).sort(), ['common.hcl', 'lib/more.hcl', 'lib/write.hcl']);
});

test('collectUpload() - an include outside the top module\'s directory, or an absolute one, is refused at its module call', async (t) => {
  const dir = tempDir(t, { 'mods/escape.hcl': fixtureFiles()['escape.hcl']!, 'outside.hcl': '' });
  const escape = await t.throwsAsync(collectUpload('mods/escape.hcl', dir), { instanceOf: ConvergeError });
  t.is((escape as ConvergeError).code, 'CNV_ERR_UPLOAD_PATH');
  t.regex(escape!.message, /^mods\/escape\.hcl:2:1: module "\.\.\/outside\.hcl" is outside .*mods, the top module's directory: --upload sends only the modules under it$/);
  const absolute = tempDir(t, { 'main.hcl': `module "${path.join(dir, 'outside.hcl')}" "o" {}\n` });
  const refused = await t.throwsAsync(collectUpload('main.hcl', absolute), { instanceOf: ConvergeError });
  t.is((refused as ConvergeError).code, 'CNV_ERR_UPLOAD_PATH');
  t.regex(refused!.message, /^main\.hcl:1:1: module ".*outside\.hcl" is an absolute path/);
});

test('collectUpload() - past the limit is CNV_ERR_UPLOAD_TOO_LARGE naming the file and the limit', async (t) => {
  const dir = tempDir(t, { 'main.hcl': 'module "big.hcl" "b" {}\n', 'big.hcl': `# ${'x'.repeat(2000)}\n` });
  const error = await t.throwsAsync(collectUpload('main.hcl', dir, 1024), { instanceOf: ConvergeError });
  t.is((error as ConvergeError).code, 'CNV_ERR_UPLOAD_TOO_LARGE');
  t.is(error!.message, 'big.hcl brings the uploaded modules to 2034 bytes, past the upload limit of 1024 bytes');
  t.is(uploadLimitText(MAX_UPLOAD_BYTES), '4194304 bytes (4 MiB)');
  // A missing include is reported here, at its call, with the loader's code.
  const missing = tempDir(t, { 'main.hcl': '\nmodule "nope.hcl" "n" {}\n' });
  const notFound = await t.throwsAsync(collectUpload('main.hcl', missing), { instanceOf: ConvergeError });
  t.is((notFound as ConvergeError).code, 'CNV_ERR_LOAD_NOT_FOUND');
  t.regex(notFound!.message, /^main\.hcl:2:1: open .*nope\.hcl: no such file or directory$/);
});

test('checkUploadKey(), checkUpload() - keys that escape are refused; sizes count keys and texts', (t) => {
  t.is(checkUploadKey('./lib//a.hcl'), 'lib/a.hcl');
  for (const key of ['../a.hcl', 'lib/../../a.hcl', '/etc/passwd', 'a\\b.hcl', 'a\0.hcl', 'http://h/x.hcl', '', '.', 'lib/..']) {
    const error = t.throws(() => checkUploadKey(key), { instanceOf: ConvergeError }, JSON.stringify(key));
    t.is((error as ConvergeError).code, 'CNV_ERR_UPLOAD_PATH', JSON.stringify(key));
    t.true(error!.message.startsWith(`files[${JSON.stringify(key)}]: `));
  }
  t.notThrows(() => checkUpload('x'.repeat(10), { 'a.hcl': 'y'.repeat(9) }, 24));
  const error = t.throws(() => checkUpload('x'.repeat(10), { 'a.hcl': 'y'.repeat(10) }, 24), { instanceOf: ConvergeError });
  t.is((error as ConvergeError).code, 'CNV_ERR_UPLOAD_TOO_LARGE');
  t.is(error!.message, 'files["a.hcl"] brings the uploaded modules to 25 bytes, past the upload limit of 24 bytes');
  // Without files a request is not an upload: its content keeps the request's own bound.
  t.notThrows(() => checkUpload('x'.repeat(100), {}, 24));
});

test('loadGraph() - includes come from files before the file system, resolved against the top module', async (t) => {
  const files = fixtureFiles();
  // The job's directory holds none of the modules, and a decoy common.hcl that must not be read.
  const cwd = tempDir(t, { 'mods/common.hcl': 'this is not HCL {' });
  const graph = await graphJob({
    ...spec(cwd, 'mods/main.hcl', { dir: '/tmp' }),
    content: files['main.hcl']!,
    files: { 'lib/write.hcl': files['lib/write.hcl']!, 'lib/more.hcl': files['lib/more.hcl']!, 'common.hcl': files['common.hcl']! },
  });
  const ids = graph.vertices.map((v) => v.id);
  t.true(ids.includes('root/module.w/module.m/module.c/file.content.c'), ids.join(' '));
  const refused = await t.throwsAsync(graphJob({ ...spec(cwd, 'main.hcl'), content: '', files: { '../x.hcl': '' } }));
  t.is((refused as ConvergeError).code, 'CNV_ERR_UPLOAD_PATH');
});
