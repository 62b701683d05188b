/**
 * Field decoding: turns the raw HCL fields of one node into typed values for a ResourceDefinition,
 * rendering every string as a template first and enforcing the field rules with the original's texts.
 *
 * Decoded representations: `duration` is milliseconds (a number), `octal` and `int` are numbers,
 * `time` is a Date, `stringList` a string[], `stringMap` and `objectList` plain objects, `any` the
 * rendered HCL value.
 */
import { ConvergeError, positionedError, type ErrorCode, type SourcePosition } from '../errors.js';
import { parseGoDuration } from '../go/duration.js';
import { suggestNames } from './suggest.js';
import type { DecodedFields, FieldSpec, RawField, Renderer, ResourceDefinition } from './types.js';

/** Fields every resource accepts; the engine reads them, decoding ignores them. */
export const SPECIAL_FIELDS: readonly string[] = ['depends', 'group'];

/** Where the node being decoded was declared, for error messages and details. */
export interface DecodeLocation {
  readonly id: string;
  readonly pos?: SourcePosition;
}

/**
 * Decodes and validates `raw` against `def.fields`. Throws ConvergeError (CNV_ERR_FIELD_*) naming the
 * field's position when known; renderer errors propagate unchanged.
 */
export function decodeFields(
  def: Pick<ResourceDefinition, 'fields' | 'mutuallyExclusive'>,
  raw: Readonly<Record<string, RawField>>,
  render: Renderer,
  where: DecodeLocation,
): DecodedFields {
  rejectUnknown(def.fields, raw, where);
  const out: Record<string, unknown> = {};
  for (const spec of def.fields) {
    const field = raw[spec.name];
    const fail = (code: ErrorCode, message: string): ConvergeError =>
      fieldError(code, message, field?.pos ?? where.pos, where.id, spec.name);
    const isSet = field !== undefined && field.value !== undefined && field.value !== null;
    if (!isSet) {
      if (spec.required === true) throw fail('CNV_ERR_FIELD_REQUIRED', `"${spec.name}" is required`);
      out[spec.name] = spec.default;
      continue;
    }
    // The original tested emptiness on the value as written, before rendering.
    if (spec.nonempty === true && field.value === '') {
      throw fail('CNV_ERR_FIELD_REQUIRED', `"${spec.name}" must be nonempty`);
    }
    checkExclusive(spec.name, def.mutuallyExclusive ?? [], raw, fail);
    const value = convert(spec, field.value, render, spec.name, (message) => fail('CNV_ERR_FIELD_INVALID', message));
    if (spec.validValues !== undefined && !spec.validValues.includes(String(value))) {
      const valids = spec.validValues.join(',');
      throw fail(
        'CNV_ERR_FIELD_INVALID',
        `value did not pass validation. Must be one of ${JSON.stringify(valids)}, was ${JSON.stringify(String(value))}`,
      );
    }
    out[spec.name] = value;
  }
  return out;
}

function fieldError(
  code: ErrorCode,
  message: string,
  pos: SourcePosition | undefined,
  id: string,
  field: string,
): ConvergeError {
  return pos === undefined
    ? new ConvergeError(code, message, { id, field })
    : positionedError(code, pos, message, { id, field });
}

function rejectUnknown(fields: readonly FieldSpec[], raw: Readonly<Record<string, RawField>>, where: DecodeLocation): void {
  const known = [...fields.map((f) => f.name), ...SPECIAL_FIELDS];
  const unknown = Object.keys(raw).filter((key) => !known.includes(key));
  if (unknown.length === 0) return;
  const lines = unknown.map((key) => {
    const candidates = suggestNames(key, known);
    const hint = candidates.length > 0 ? ` Maybe you meant: ${candidates.join(', ')}` : '';
    return `I don't have a field named ${JSON.stringify(key)}.${hint}`;
  });
  const first = unknown[0] as string;
  const pos = raw[first]?.pos ?? where.pos;
  // Every unknown name is reported at once so one edit fixes them all.
  throw fieldError('CNV_ERR_FIELD_UNKNOWN', lines.join('\n'), pos, where.id, first);
}

function checkExclusive(
  name: string,
  groups: readonly (readonly string[])[],
  raw: Readonly<Record<string, RawField>>,
  fail: (code: ErrorCode, message: string) => ConvergeError,
): void {
  for (const group of groups) {
    if (!group.includes(name)) continue;
    const others = group.filter((other) => other !== name && raw[other] !== undefined && raw[other]?.value != null);
    if (others.length === 0) continue;
    throw fail('CNV_ERR_FIELD_CONFLICT', `only one of ${listWithOr(group)} can be set`);
  }
}

/** `"a" or "b"`, `"a", "b", or "c"`, as the original worded it. */
function listWithOr(names: readonly string[]): string {
  const quoted = names.map((n) => `"${n}"`);
  if (quoted.length <= 2) return quoted.join(' or ');
  return `${quoted.slice(0, -1).join(', ')}, or ${quoted[quoted.length - 1] as string}`;
}

type Invalid = (message: string) => ConvergeError;

function convert(spec: FieldSpec, value: unknown, render: Renderer, path: string, invalid: Invalid): unknown {
  switch (spec.type) {
    case 'string':
      return toText(value, render, path, invalid);
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string') return /^(t|true)$/i.test(render(value, path));
      throw invalid(`don't know how to convert ${describe(value)} to bool`);
    case 'int':
      return toInteger(value, render, path, 10, invalid);
    case 'octal':
      // The HCL parser already read a bare 0755 as octal, so only strings are parsed base 8 here.
      return toInteger(value, render, path, 8, invalid);
    case 'duration':
      return toDuration(value, render, path, invalid);
    case 'time':
      return toTime(toText(value, render, path, invalid), invalid);
    case 'stringList':
      return asList(value).map((item, i) => toText(item, render, `${path}.${i}`, invalid));
    case 'stringMap':
      return toStringMap(value, render, path, invalid);
    case 'objectList':
      return asList(value).map((item, i) => {
        if (!isPlainObject(item)) throw invalid(`expected a block for ${JSON.stringify(path)}, got ${describe(item)}`);
        const nested = Object.fromEntries(Object.entries(item).map(([k, v]) => [k, { value: v } satisfies RawField]));
        return decodeFields({ fields: spec.fields ?? [] }, nested, render, { id: `${path}.${i}` });
      });
    case 'any':
      return renderDeep(value, render, path);
  }
}

function toText(value: unknown, render: Renderer, path: string, invalid: Invalid): string {
  if (typeof value === 'string') return render(value, path);
  // HCL numbers and bools in string fields are taken as their text, as Go's %v would print them.
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw invalid(`value was not a string: ${describe(value)}`);
}

function toInteger(value: unknown, render: Renderer, path: string, base: 8 | 10, invalid: Invalid): number {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw invalid(`could not convert ${value} to int`);
    return value;
  }
  if (typeof value !== 'string') throw invalid(`could not convert ${describe(value)} to int`);
  const text = render(value, path).trim();
  const digits = base === 8 ? /^[+-]?[0-7]+$/ : /^[+-]?\d+$/;
  if (!digits.test(text)) throw invalid(`could not convert ${JSON.stringify(text)} to int (base ${base})`);
  return Number.parseInt(text, base);
}

function toDuration(value: unknown, render: Renderer, path: string, invalid: Invalid): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(`could not convert ${value} to duration`);
    return value * 1000;
  }
  if (typeof value !== 'string') throw invalid(`cannot handle duration conversion of ${describe(value)}`);
  const text = render(value, path);
  try {
    return parseGoDuration(text) / 1e6;
  } catch (error) {
    throw invalid(`could not convert ${text} to duration: ${(error as Error).message}`);
  }
}

function toTime(text: string, invalid: Invalid): Date {
  const layouts = [
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/, // RFC3339
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/,
    /^\d{4}-\d{2}-\d{2}$/,
  ];
  if (layouts.some((layout) => layout.test(text))) {
    // Go reads zone-less layouts as UTC; JavaScript would read the middle one as local time.
    const iso = /T\d{2}:\d{2}:\d{2}$/.test(text) ? `${text}Z` : text;
    const date = new Date(iso);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw invalid(`could not parse ${JSON.stringify(text)} as a time (RFC3339, 2006-01-02T15:04:05 or 2006-01-02)`);
}

function toStringMap(value: unknown, render: Renderer, path: string, invalid: Invalid): Record<string, string> {
  // `env { ... }` written as a block arrives as a list of one (or more) objects; merge them in order.
  const parts = Array.isArray(value) ? value : [value];
  const out: Record<string, string> = {};
  for (const part of parts) {
    if (!isPlainObject(part)) throw invalid(`expected map for ${JSON.stringify(path)}, got ${describe(part)}`);
    for (const [key, item] of Object.entries(part)) {
      const renderedKey = render(key, `${path}.${key}`);
      out[renderedKey] = toText(item, render, `${path}.${key}`, invalid);
    }
  }
  return out;
}

function renderDeep(value: unknown, render: Renderer, path: string): unknown {
  if (typeof value === 'string') return render(value, path);
  if (Array.isArray(value)) return value.map((item, i) => renderDeep(item, render, `${path}.${i}`));
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [render(k, `${path}.${k}`), renderDeep(v, render, `${path}.${k}`)]),
    );
  }
  return value;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${JSON.stringify(value)}`;
}
