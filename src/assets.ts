/**
 * Where the self-contained binary unpacked its embedded assets (proto files, worker entry points). A
 * bundle has no files beside it, so its entry point writes them to a cache dir before anything else runs
 * and records the dir here; code that loads files by path asks before falling back to its own location.
 */
const ASSET_DIR_KEY = Symbol.for('converge.assetDir');

/** Records where the binary unpacked its assets. */
export function setAssetDir(dir: string): void {
  (globalThis as Record<symbol, unknown>)[ASSET_DIR_KEY] = dir;
}

/** Where the self-contained binary unpacked its assets; undefined when running from files. */
export function assetDir(): string | undefined {
  const assets = (globalThis as Record<symbol, unknown>)[ASSET_DIR_KEY];
  return typeof assets === 'string' ? assets : undefined;
}
