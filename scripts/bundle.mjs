#!/usr/bin/env node
// Bundles the CLI and the job worker with esbuild into build/bundle/, so that starting `converge` reads
// two files instead of resolving and loading hundreds of modules (about 100 ms of every command before).
// Both are CommonJS: Node's CommonJS loader starts faster than its ESM loader, and a CommonJS file can be
// compiled from V8's code cache (scripts/bundle/load-cached.cjs), which removes most of what is left.
// Code a command may not need sits behind lazy module wrappers and costs only its share of the cache.
// bin/converge runs build/bundle/converge.js; `npm run build` runs this after tsc, then warms the caches
// with a one-node `plan --local` so that the first real command already finds them.
// Packages that find their own files through __dirname stay outside the bundle, loaded from node_modules
// on first use: piscina's worker bootstrap, health, reflection, proto-loader, dockerode, dbus-next (only
// systemd.unit.state loads it), better-sqlite3 (a native addon that finds its .node file from its own directory).
import { execFileSync } from 'node:child_process';
import { isAscii } from 'node:buffer';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE_DIR = path.join(ROOT, 'build', 'bundle');
const EXTERNAL = ['piscina', 'grpc-health-check', '@grpc/reflection', '@grpc/proto-loader', 'protobufjs', 'dockerode', 'dbus-next', 'better-sqlite3', '*.node'];

const started = Date.now();
rmSync(BUNDLE_DIR, { recursive: true, force: true });
const result = await esbuild.build({
  absWorkingDir: ROOT,
  entryPoints: { 'converge-main': 'src/cli/main.ts', 'run.worker-main': 'src/workers/run.worker.ts' },
  outdir: BUNDLE_DIR,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // import() becomes require(): V8 drops the dynamic-import callback of a script compiled from its code
  // cache on Node 20 ("A dynamic import callback was not specified"), and every external here is CommonJS.
  supported: { 'dynamic-import': false },
  external: EXTERNAL,
  // import.meta.url is the bundle's own URL: code that finds a sibling through it (the worker entry,
  // proto/ two levels up) sees build/bundle/ from every module.
  define: { 'import.meta.url': '__cnvBundleUrl' },
  banner: { js: "const __cnvBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
  // No comments or indentation: a smaller file to read and hash, and all ASCII, so it reads as latin1 (load-cached.cjs).
  minifyWhitespace: true,
  minifySyntax: true,
});
for (const name of ['converge-main.js', 'run.worker-main.js']) {
  const bytes = readFileSync(path.join(BUNDLE_DIR, name));
  if (!isAscii(bytes)) console.error(`bundle: ${name} is not ASCII; it loads, but decoded as UTF-8 it starts slower`);
}
// .js under build/bundle/ is CommonJS, whatever the package says.
writeFileSync(path.join(BUNDLE_DIR, 'package.json'), '{ "type": "commonjs" }\n');
copyFileSync(path.join(ROOT, 'scripts/bundle/load-cached.cjs'), path.join(BUNDLE_DIR, 'load-cached.js'));
writeFileSync(
  path.join(BUNDLE_DIR, 'converge.js'),
  "'use strict';\nrequire('./load-cached.js').load(require('node:path').join(__dirname, 'converge-main.js'), module, 'exit');\n",
);
// The name pool.ts looks for beside the bundle; piscina calls its export once per job.
writeFileSync(
  path.join(BUNDLE_DIR, 'run.worker.js'),
  "'use strict';\nconst entry = require('./load-cached.js').load(require('node:path').join(__dirname, 'run.worker-main.js'), module, 'first-call');\n// The pool runs a relocated job under the name solo (src/workers/balancer.ts). With a fresh cache this is\n// the module's exports, which have it; a first call that writes the cache goes through a wrapper function.\nmodule.exports = typeof entry === 'function' ? Object.assign(entry, { solo: entry }) : entry;\n",
);

const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'));
const bytes = outputs.reduce((sum, [, out]) => sum + out.bytes, 0);

// Warm the code caches: a one-node plan through --local on any free port, in a scratch dir.
const scratch = mkdtempSync(path.join(os.tmpdir(), 'converge-warm-'));
try {
  writeFileSync(path.join(scratch, 'warm.hcl'), 'file.content "warm" {\n  destination = "warm.txt"\n  content = "x"\n}\n');
  const env = { ...process.env, CONVERGE_LOCAL_ADDR: '127.0.0.1:0', NO_COLOR: '1' };
  execFileSync(process.execPath, [path.join(BUNDLE_DIR, 'converge.js'), 'plan', '--local', 'warm.hcl'], { cwd: scratch, env, stdio: 'ignore' });
} catch (error) {
  console.error(`bundle: warming the code cache failed (the bundle works without it): ${error.message}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.error(`bundle: ${outputs.length} files, ${(bytes / 1024).toFixed(0)} KiB in ${path.relative(ROOT, BUNDLE_DIR)}/ (${Date.now() - started} ms)`);
