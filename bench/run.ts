/**
 * `npm run bench [-- <filter>]`: runs every compiled bench/<subject>.bench.js whose name contains the
 * filter, one child process each so that one benchmark's heap and threads cannot skew the next. Each
 * benchmark prints JSON lines; they pass through unchanged.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const files = readdirSync(here)
  .filter((name) => name.endsWith('.bench.js') && name.includes(filter))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches "${filter}" in ${here}`);
  process.exit(1);
}
let failed = 0;
for (const file of files) {
  console.error(`# ${file}`);
  const result = spawnSync(process.execPath, ['--expose-gc', join(here, file)], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    console.error(`# ${file} exited with ${result.status ?? result.signal}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
