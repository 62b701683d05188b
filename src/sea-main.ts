/**
 * Entry point of the self-contained `converge` executable (a Node.js single executable application).
 * A bundle has no files beside it, but worker threads and proto-loader need real files, so the assets
 * embedded at build time (protos, piscina's worker bootstrap, the job worker) are written once to a
 * cache directory keyed by the build id, and everything else is told where they are.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sea from 'node:sea';
import { setAssetDir } from './assets.js';

/** Written last: a directory without it is an interrupted unpack and is redone. */
const COMPLETE_MARKER = '.complete';

function cacheBase(): string {
  const xdg = process.env['XDG_CACHE_HOME'];
  if (xdg !== undefined && xdg !== '') return path.join(xdg, 'converge');
  const home = os.homedir();
  return home === '' ? path.join(os.tmpdir(), 'converge-cache') : path.join(home, '.cache', 'converge');
}

function unpack(): string {
  const manifest = JSON.parse(sea.getAsset('manifest.json', 'utf8')) as { buildId: string; files: string[] };
  const base = cacheBase();
  const target = path.join(base, `assets-${manifest.buildId}`);
  if (existsSync(path.join(target, COMPLETE_MARKER))) return target;
  const staging = `${target}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  for (const file of manifest.files) {
    const destination = path.join(staging, file);
    mkdirSync(path.dirname(destination), { recursive: true });
    writeFileSync(destination, new Uint8Array(sea.getAsset(file)));
  }
  writeFileSync(path.join(staging, COMPLETE_MARKER), manifest.buildId);
  try {
    renameSync(staging, target);
  } catch {
    // Another converge process unpacked the same build first; its copy is identical.
    rmSync(staging, { recursive: true, force: true });
  }
  return target;
}

async function start(): Promise<void> {
  if (sea.isSea()) setAssetDir(unpack());
  await import('./cli/main.js');
}

void start();
