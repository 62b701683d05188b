#!/usr/bin/env node
// Builds build/converge, a self-contained executable (Node.js single executable application):
//   1. esbuild bundles the CLI (entry src/sea-main.ts), piscina's worker bootstrap and the
//      job worker, each as one CommonJS file;
//   2. the bundles and the .proto files become SEA assets (listed in manifest.json);
//   3. node --experimental-sea-config makes the blob, and postject injects it into a copy of node.
// Bundled packages that find files through __dirname (piscina, grpc-health-check, @grpc/reflection,
// grpc-js) are rewritten to look in the asset directory that sea-main.ts unpacks at start-up.
// Usage: node scripts/build-binary.mjs [--strip] [--out build/converge]
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const strip = args.includes('--strip');
const outIndex = args.indexOf('--out');
const OUT = path.resolve(ROOT, outIndex >= 0 ? args[outIndex + 1] : 'build/converge');
const WORK = path.join(ROOT, 'build', 'sea');
const NODE_MODULES = path.join(ROOT, 'node_modules');
const started = Date.now();

rmSync(WORK, { recursive: true, force: true });
mkdirSync(path.join(WORK, 'assets'), { recursive: true });

// Files that locate data through __dirname. Each gets __dirname pointed at the same relative place
// under <assets>/pkgs/, where the data files are embedded.
const DIRNAME_USERS = /node_modules[\\/](piscina[\\/]dist[\\/]index\.js|grpc-health-check[\\/]build[\\/]src[\\/]health\.js|@grpc[\\/]reflection[\\/]build[\\/]src[\\/]implementations[\\/][^\\/]+\.js|@grpc[\\/]grpc-js[\\/]build[\\/]src[\\/](channelz|orca)\.js)$/;
const assetDirPlugin = {
  name: 'asset-dirname',
  setup(build) {
    build.onLoad({ filter: DIRNAME_USERS }, (args) => {
      const relativeDir = path.relative(NODE_MODULES, path.dirname(args.path)).split(path.sep).join('/');
      let contents = readFileSync(args.path, 'utf8');
      const replacement = `require("node:path").join(globalThis[Symbol.for("converge.assetDir")], "pkgs", ${JSON.stringify(relativeDir)})`;
      contents = contents.replaceAll('__dirname', `(${replacement})`);
      // piscina starts its own bootstrap file beside itself; ours is the bundled asset.
      contents = contents.replace(/\(0, node_path_1\.resolve\)\(\([^;]*?\), 'worker\.js'\)/, `require("node:path").join(globalThis[Symbol.for("converge.assetDir")], "piscina-worker.cjs")`);
      return { contents, loader: 'js' };
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
  // import.meta is empty in CommonJS; the code paths that use it are not taken inside the binary.
  logOverride: { 'empty-import-meta': 'silent' },
  plugins: [assetDirPlugin],
  // Native addons (ssh2's optional crypto, cpu-features) cannot be embedded; their packages fall back
  // to JavaScript when the require fails. dbus-next's optional usocket (native; it falls back to
  // node:net) and x11 (only for a session bus found through X11, never used here) are not installed.
  external: ['*.node', '@napi-rs/*', 'usocket', 'x11'],
};
await esbuild.build({ ...common, entryPoints: [path.join(ROOT, 'src/sea-main.ts')], outfile: path.join(WORK, 'converge.cjs') });
await esbuild.build({ ...common, entryPoints: [path.join(NODE_MODULES, 'piscina/dist/worker.js')], outfile: path.join(WORK, 'assets/piscina-worker.cjs') });
await esbuild.build({ ...common, entryPoints: [path.join(ROOT, 'src/workers/run.worker.ts')], outfile: path.join(WORK, 'assets/run.worker.cjs') });

/** Every file under `dir` (relative to it), for embedding. */
function walk(dir, base = dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full, base));
    else if (entry.name.endsWith('.proto')) out.push(path.relative(base, full));
  }
  return out;
}

const assets = {
  'piscina-worker.cjs': path.join(WORK, 'assets/piscina-worker.cjs'),
  'run.worker.cjs': path.join(WORK, 'assets/run.worker.cjs'),
};
for (const file of walk(path.join(ROOT, 'proto'))) assets[`proto/${file.split(path.sep).join('/')}`] = path.join(ROOT, 'proto', file);
for (const pkgProto of ['grpc-health-check/proto', '@grpc/reflection/build/proto', '@grpc/grpc-js/proto']) {
  const dir = path.join(NODE_MODULES, pkgProto);
  for (const file of walk(dir)) assets[`pkgs/${pkgProto}/${file.split(path.sep).join('/')}`] = path.join(dir, file);
}
const hash = createHash('sha256');
for (const [name, file] of Object.entries(assets).sort(([a], [b]) => a.localeCompare(b))) hash.update(name).update(readFileSync(file));
hash.update(readFileSync(path.join(WORK, 'converge.cjs')));
const buildId = hash.digest('hex').slice(0, 16);
writeFileSync(path.join(WORK, 'manifest.json'), JSON.stringify({ buildId, files: Object.keys(assets) }));
assets['manifest.json'] = path.join(WORK, 'manifest.json');

writeFileSync(
  path.join(WORK, 'sea-config.json'),
  JSON.stringify({
    main: path.join(WORK, 'converge.cjs'),
    output: path.join(WORK, 'sea-prep.blob'),
    disableExperimentalSEAWarning: true,
    // V8 code cache for the bundle: measured faster start-up for the same binary size class.
    useCodeCache: true,
    assets,
  }),
);
/**
 * Runs a build step quietly: its output is shown only when it fails, or when it prints something not
 * in `harmless`. The build then ends with one JSON line and nothing else.
 */
function quietly(file, argv, harmless = []) {
  const result = spawnSync(file, argv, { encoding: 'utf8' });
  const lines = `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n').filter((line) => line.trim() !== '');
  if (result.status !== 0) {
    process.stderr.write(`${lines.join('\n')}\n`);
    throw new Error(`${path.basename(argv[0] ?? file)} failed (exit ${result.status ?? result.signal})`);
  }
  // postject colours its progress lines; match on the text.
  // eslint-disable-next-line no-control-regex -- ESC starts the colour codes this strips.
  const plain = (line) => line.replace(/\x1b\[[0-9;]*m/g, '');
  const unexpected = lines.filter((line) => !harmless.some((pattern) => pattern.test(plain(line))));
  if (unexpected.length > 0) process.stderr.write(`${unexpected.join('\n')}\n`);
}

// Node's own progress line ("Wrote single executable preparation blob to …").
quietly(process.execPath, ['--experimental-sea-config', path.join(WORK, 'sea-config.json')], [/^Wrote single executable preparation blob/]);

mkdirSync(path.dirname(OUT), { recursive: true });
rmSync(OUT, { force: true });
copyFileSync(process.execPath, OUT);
chmodSync(OUT, 0o755);
if (strip) execFileSync('strip', [OUT]);
// postject's ELF library (LIEF) warns "Can't find string offset for section name '.note…'" for each
// note section of node's executable: those sections have no entry in the section-name string table of
// the official Node builds. LIEF only reads the notes and writes them back unchanged; the injected
// binary runs (test/frontdoor/bootstrap.test.ts runs it), so these lines are dropped and nothing else is.
quietly(
  process.execPath,
  [path.join(NODE_MODULES, 'postject/dist/cli.js'), OUT, 'NODE_SEA_BLOB', path.join(WORK, 'sea-prep.blob'), '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'],
  [/^warning: Can't find string offset for section name '\.note[^']*'$/, /^Start injection of NODE_SEA_BLOB/, /^💉 Injection done!$/],
);

const bytes = readFileSync(OUT);
console.log(
  JSON.stringify({
    name: 'build-binary',
    file: path.relative(ROOT, OUT),
    bytes: statSync(OUT).size,
    gzipBytes: gzipSync(bytes, { level: 6 }).length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    buildId,
    seconds: (Date.now() - started) / 1000,
  }),
);
