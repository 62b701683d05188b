/**
 * The modules the fuzzer starts from: the repository's own fixtures (always there, so the suite runs
 * on a bare clone) and, when the conformance kit sits beside the repository, its sample modules. Seeds
 * are read, never copied into the repository; each case runs on a copy in a scratch directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Seed {
  /** Where it came from: `fixtures/modules/caller.hcl`, `conformance/basic`. */
  readonly name: string;
  /** The file the run starts from, relative to the case's directory. */
  readonly main: string;
  /** Every file of the case by relative path: the main module, what it includes, pre-existing inputs. */
  readonly files: Readonly<Record<string, string>>;
  readonly params: Readonly<Record<string, unknown>>;
}

/** The repository root (this file runs from build/test/fuzz/). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEFAULT_CONFORMANCE_CASES = path.resolve(REPO_ROOT, '../shared/conformance/cases');

/** Fixture folders whose .hcl files are seeds; each file is a main, its siblings are includable. */
const FIXTURE_DIRS = ['modules', 'modules/positions', 'hcl', 'hcl/invalid', 'fuzz'] as const;

function readDirFiles(dir: string, accept: (name: string) => boolean): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && accept(entry.name)) files[entry.name] = fs.readFileSync(path.join(dir, entry.name), 'utf8');
  }
  return files;
}

export function fixtureSeeds(root = path.join(REPO_ROOT, 'test/fixtures')): Seed[] {
  const seeds: Seed[] = [];
  for (const folder of FIXTURE_DIRS) {
    const dir = path.join(root, folder);
    if (!fs.existsSync(dir)) continue;
    const files = readDirFiles(dir, (name) => name.endsWith('.hcl'));
    for (const main of Object.keys(files).sort()) seeds.push({ name: `fixtures/${folder}/${main}`, main, files, params: {} });
  }
  return seeds;
}

/** One seed per conformance case: its main module (from expected.json), its inputs and params.json. */
export function conformanceSeeds(casesDir = DEFAULT_CONFORMANCE_CASES): Seed[] {
  if (!fs.existsSync(casesDir)) return [];
  const seeds: Seed[] = [];
  for (const name of fs.readdirSync(casesDir).sort()) {
    const dir = path.join(casesDir, name);
    const expectedFile = path.join(dir, 'expected.json');
    if (!fs.existsSync(expectedFile)) continue;
    const expected = JSON.parse(fs.readFileSync(expectedFile, 'utf8')) as { main?: unknown };
    const files = readDirFiles(dir, (file) => file !== 'expected.json' && file !== 'params.json');
    const main = typeof expected.main === 'string' ? expected.main : Object.keys(files).find((f) => f.endsWith('.hcl'));
    if (main === undefined || files[main] === undefined) continue;
    const paramsFile = path.join(dir, 'params.json');
    const params = fs.existsSync(paramsFile) ? (JSON.parse(fs.readFileSync(paramsFile, 'utf8')) as Record<string, unknown>) : {};
    seeds.push({ name: `conformance/${name}`, main, files, params });
  }
  return seeds;
}

/** The .hcl files of a seed that a mutation may change, main first. */
export function mutableFiles(seed: Seed): string[] {
  return [seed.main, ...Object.keys(seed.files).filter((f) => f !== seed.main && f.endsWith('.hcl')).sort()];
}
