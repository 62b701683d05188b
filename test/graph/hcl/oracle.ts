/**
 * The test oracle: js-hcl-parser, a GopherJS build of HashiCorp's HCL v1 (`hcl.Unmarshal` into
 * interface{}, then encoding/json). It returns a JSON string, or an error as a string starting
 * with "unable to"; some inputs make the Go code panic, which surfaces as a thrown exception.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const hcl = require('js-hcl-parser') as { parse(source: string): string };

export type OracleResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

export function oracleParse(source: string): OracleResult {
  let out: string;
  try {
    out = hcl.parse(source);
  } catch (error) {
    return { ok: false, error: `panic: ${String(error)}` };
  }
  if (out.startsWith('unable to')) return { ok: false, error: out };
  return { ok: true, value: JSON.parse(out) as unknown };
}
