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
    const key = item.keys[0]!.name;
    const value = itemValue(item);
    out[key] = Object.hasOwn(out, key) ? mergeRepeated(out[key], value, item) : value;
  }
  return out;
}

/** The value of one item, with `a "b" { }` labels nested under their keys. */
export function itemValue(item: HclItem): unknown {
  let value: unknown = plainValue(item.value);
  for (let i = item.keys.length - 1; i >= 1; i--) value = { [item.keys[i]!.name]: value };
  return value;
}

/** Combines a key's earlier value with a repeated item, as HCL v1's decoder does. */
export function mergeRepeated(prev: unknown, value: unknown, item: HclItem): unknown {
  // `a "x" {}` and `a "y" {}` merge under `a`, as HCL v1 does for labelled blocks.
  if (isRecord(prev) && isRecord(value) && item.keys.length > 1) return { ...prev, ...value };
  return Array.isArray(prev) && item.assign === false ? [...prev, value] : [prev, value];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
