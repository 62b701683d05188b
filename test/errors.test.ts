import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConvergeError, ERROR_CODES, fromWire, toWire, type ErrorCode } from '../src/errors.js';
import { STATUS_MAP } from '../src/frontdoor/status-map.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const docs = readFileSync(path.join(ROOT, 'docs/errors.md'), 'utf8');
const documented = new Map(
  [...docs.matchAll(/^\| `(CNV_ERR_[A-Z_]+)` \| ([a-z-]+) \|/gm)].map((m) => [String(m[1]), String(m[2])] as const),
);

test('ERROR_CODES - every code is documented in docs/errors.md with its class', (t) => {
  for (const [code, errorClass] of Object.entries(ERROR_CODES)) {
    t.is(documented.get(code), errorClass, `docs/errors.md entry for ${code}`);
  }
});

test('docs/errors.md - documents no code that does not exist', (t) => {
  const unknown = [...documented.keys()].filter((code) => !Object.hasOwn(ERROR_CODES, code));
  t.deepEqual(unknown, []);
});

test('docs/errors.md - one well-formed row per code, none repeated', (t) => {
  const rows = docs.split('\n').filter((line) => line.startsWith('| `CNV_ERR_'));
  const malformed = rows.filter((line) => !/^\| `CNV_ERR_[A-Z_]+` \| [a-z-]+ \| .+ \|$/.test(line));
  t.deepEqual(malformed, []);
  t.is(rows.length, documented.size);
});

test('STATUS_MAP - every class in use maps to a gRPC and an HTTP status', (t) => {
  for (const errorClass of new Set(Object.values(ERROR_CODES))) {
    const mapped = STATUS_MAP[errorClass];
    t.true(Number.isInteger(mapped.grpc) && mapped.grpc > 0, errorClass);
    t.true(mapped.http >= 400 && mapped.http < 600, errorClass);
  }
});

test('toWire()/fromWire() - keep code, message and details across structured clone', (t) => {
  const original = new ConvergeError('CNV_ERR_GRAPH_CYCLE', 'Cycle: root/a, root/b', { path: ['root/a', 'root/b'] });
  const rebuilt = fromWire(structuredClone(toWire(original)));
  t.true(rebuilt instanceof ConvergeError);
  t.is(rebuilt.code, 'CNV_ERR_GRAPH_CYCLE' satisfies ErrorCode);
  t.is(rebuilt.message, original.message);
  t.deepEqual(rebuilt.details, { path: ['root/a', 'root/b'] });
});

test('toWire() - unknown errors become CNV_ERR_INTERNAL', (t) => {
  t.is(toWire(new TypeError('boom')).code, 'CNV_ERR_INTERNAL');
  t.is(fromWire({ code: 'NOT_A_CODE' as ErrorCode, message: 'x' }).code, 'CNV_ERR_INTERNAL');
});
