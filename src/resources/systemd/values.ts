/**
 * D-Bus property values as plain data for lookups and JSON: 64-bit integers (BigInt from the D-Bus
 * library) become numbers when they fit and decimal strings when they do not (systemd's "infinity" is
 * 2^64-1, which a number would print rounded), byte arrays become their text, structs become lists.
 */

interface Variant {
  readonly signature: string;
  readonly value: unknown;
}

function isVariant(value: unknown): value is Variant {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !Buffer.isBuffer(value) &&
    typeof (value as { signature?: unknown }).signature === 'string' &&
    'value' in value
  );
}

export function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (Array.isArray(value)) return value.map(plainValue);
  if (isVariant(value)) return plainValue(value.value);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plainValue(inner)]));
  }
  return value;
}

/** A GetAll reply (name -> variant) as name -> plain value, names as D-Bus spells them. */
export function plainProperties(props: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(props).map(([name, value]) => [name, plainValue(value)]));
}
