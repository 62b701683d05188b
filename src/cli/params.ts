/**
 * Top-level module params from `-p k=v` and `--paramsJSON`. Unlike the original, JSON lists and maps keep
 * their types on the way to the module (the original turned every value into a Go `%v` string), and a key
 * given both ways is an error rather than being silently dropped.
 */
import { ConvergeError } from '../errors.js';

function describe(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Splits `key=value` at the first `=`; a pair without one is malformed. */
export function parseKeyValue(raw: string): [key: string, value: string] {
  const at = raw.indexOf('=');
  if (at < 0) throw new ConvergeError('CNV_ERR_PARAM_MALFORMED', `malformed parameter: ${raw}`, { raw });
  return [raw.slice(0, at), raw.slice(at + 1)];
}

/**
 * Builds the params record. `pairs` are the `-p` values (already split on commas); `json` is the text of
 * `--paramsJSON` (empty means none). Every problem is collected, so the user sees them all at once.
 */
export function parseParams(pairs: readonly string[], json: string): { params: Record<string, unknown>; errors: ConvergeError[] } {
  const params: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const errors: ConvergeError[] = [];
  const insert = (key: string, value: unknown): void => {
    if (Object.hasOwn(params, key)) {
      const message = `duplicate entry: found ${key}=${describe(params[key])} and ${key}=${describe(value)}`;
      errors.push(new ConvergeError('CNV_ERR_PARAM_MALFORMED', message, { key }));
      return;
    }
    params[key] = value;
  };
  for (const raw of pairs) {
    try {
      const [key, value] = parseKeyValue(raw);
      insert(key, value);
    } catch (error) {
      errors.push(error as ConvergeError);
    }
  }
  if (json.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (error) {
      errors.push(new ConvergeError('CNV_ERR_PARAM_MALFORMED', `--paramsJSON is not valid JSON: ${(error as Error).message}`));
    }
    if (parsed !== undefined) {
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        errors.push(new ConvergeError('CNV_ERR_PARAM_MALFORMED', '--paramsJSON must be a JSON object of param names to values'));
      } else {
        for (const [key, value] of Object.entries(parsed)) insert(key, value);
      }
    }
  }
  return { params: { ...params }, errors };
}
