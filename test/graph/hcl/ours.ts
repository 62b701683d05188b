import { ConvergeError } from '../../../src/errors.js';
import { parseHcl, toPlain } from '../../../src/graph/hcl/index.js';

export type OursResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: ConvergeError };

/** Our parser followed by toPlain; only ConvergeErrors count as rejections. */
export function oursParse(source: string, file = 'fuzz.hcl'): OursResult {
  try {
    return { ok: true, value: toPlain(parseHcl(source, file)) };
  } catch (error) {
    if (error instanceof ConvergeError && error.code === 'CNV_ERR_HCL_PARSE') return { ok: false, error };
    throw error;
  }
}
