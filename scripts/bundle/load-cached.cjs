'use strict';
// Loads a bundled CommonJS file through V8's code cache. Compiling the CLI bundle was the largest cost
// left in a `converge` start-up once it was one file; Node 20 has no module compile cache of its own
// (module.enableCompileCache arrived in 22.1), so this does what it would: compile with the cached data
// beside the file when V8 accepts it, and write fresh data (functions compiled so far included) when the
// data is missing or stale. The cache is only ever a speed-up: any failure to read or write it is ignored.
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');
const { isAscii } = require('node:buffer');

function writeCache(script, cacheFile) {
  try {
    // node:worker_threads loads only here: it pulls in node:stream, which `converge version` never needs.
    const temp = `${cacheFile}.${process.pid}.${require('node:worker_threads').threadId}.tmp`;
    fs.writeFileSync(temp, script.createCachedData());
    fs.renameSync(temp, cacheFile);
  } catch {
    // A read-only install runs without a cache.
  }
}

/**
 * Runs `file` as the module `parent` stands for and returns its exports. `saveWhen` is 'exit' (the
 * main thread) or 'first-call' (a worker entry whose default export is called once per job).
 */
function load(file, parent, saveWhen) {
  const cacheFile = `${file}.cache`;
  // The bundle is ASCII (scripts/bundle.mjs checks it), and decoding ASCII as latin1 skips UTF-8
  // validation: about 5 ms of every start for the CLI bundle. Anything else still decodes as UTF-8.
  const bytes = fs.readFileSync(file);
  const source = isAscii(bytes) ? bytes.latin1Slice(0, bytes.length) : bytes.toString('utf8');
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const stale = cachedData === undefined || script.cachedDataRejected === true;
  const loaded = new Module(file, parent);
  loaded.filename = file;
  loaded.paths = Module._nodeModulePaths(path.dirname(file));
  loaded.loaded = true;
  script.runInThisContext().call(loaded.exports, loaded.exports, Module.createRequire(file), loaded, file, path.dirname(file));
  if (!stale) return loaded.exports;
  if (saveWhen === 'exit') {
    process.once('exit', () => writeCache(script, cacheFile));
    return loaded.exports;
  }
  const handler = loaded.exports.default ?? loaded.exports;
  let saved = false;
  return async function cachedEntry(...args) {
    try {
      return await handler(...args);
    } finally {
      if (!saved) {
        saved = true;
        writeCache(script, cacheFile);
      }
    }
  };
}

module.exports = { load };
