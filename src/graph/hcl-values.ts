/**
 * Turns HCL syntax values into the plain data that resources decode (RawField.value), the way HCL v1
 * decodes into `map[string]interface{}`: objects become records, a key given more than once (repeated
 * blocks) becomes an array, and `a "b" { }` nests as `{a: {b: {...}}}`.
 */
import type { HclItem, HclValue } from './hcl/ast.js';

export function plainValue(value: HclValue): unknown {
  switch (value.type) {
    case 'string':
    case 'number':
    case 'bool':
      return value.value;
    case 'list':
      return value.items.map(plainValue);
    case 'object':
      return plainObject(value.items);
  }
}

export function plainObject(items: readonly HclItem[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items) {
    if (item.keys.length === 0) continue;
    let value: unknown = plainValue(item.value);
    for (let i = item.keys.length - 1; i >= 1; i--) value = { [item.keys[i]!.name]: value };
    const key = item.keys[0]!.name;
    if (!Object.hasOwn(out, key)) {
      out[key] = value;
    } else if (isRecord(out[key]) && isRecord(value) && item.keys.length > 1) {
      // `a "x" {}` and `a "y" {}` merge under `a`, as HCL v1 does for labelled blocks.
      out[key] = { ...(out[key] as Record<string, unknown>), ...value };
    } else {
      const prev = out[key];
      out[key] = Array.isArray(prev) && (item.assign === false) ? [...prev, value] : [prev, value];
    }
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
