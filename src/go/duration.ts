/**
 * Go `time.Duration` text in both directions. Modules write durations the way Go's ParseDuration reads
 * them (`1m30s`, `250ms`), and messages print them the way Go's `%v` does (`1.5s`, `2m0s`), so users
 * of the original see the same texts.
 */

const UNIT_NANOS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/**
 * Parses a Go duration string into nanoseconds. Throws an Error whose message follows Go's
 * (`time: invalid duration "x"`, `time: missing unit in duration "5"`).
 */
export function parseGoDuration(text: string): number {
  const quoted = JSON.stringify(text);
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  // Go accepts a bare zero without a unit, nothing else.
  if (rest === '0') return 0;
  if (rest === '') throw new Error(`time: invalid duration ${quoted}`);
  let total = 0;
  while (rest !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest);
    const whole = number?.[1] ?? '';
    const frac = number?.[2];
    if (whole === '' && (frac === undefined || frac === '')) throw new Error(`time: invalid duration ${quoted}`);
    rest = rest.slice(number?.[0].length ?? 0);
    const unit = /^[^\d.]+/.exec(rest)?.[0];
    if (unit === undefined) throw new Error(`time: missing unit in duration ${quoted}`);
    const scale = UNIT_NANOS[unit];
    if (scale === undefined) throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    rest = rest.slice(unit.length);
    total += Number(`${whole === '' ? '0' : whole}.${frac ?? ''}0`) * scale;
  }
  return sign * Math.round(total);
}

/** Formats nanoseconds as Go's `Duration.String()` does: `0s`, `1.5µs`, `250ms`, `1m30s`, `2h0m0s`. */
export function formatGoDuration(nanos: number): string {
  let n = Math.round(Math.abs(nanos));
  const sign = nanos < 0 ? '-' : '';
  if (n === 0) return '0s';
  if (n < 1e9) {
    // below one second Go picks the largest unit that keeps the number >= 1
    const [unit, scale] = n < 1e3 ? ['ns', 1] : n < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    return `${sign}${trimFraction(n, scale as number)}${unit as string}`;
  }
  const hours = Math.floor(n / 3600e9);
  n -= hours * 3600e9;
  const minutes = Math.floor(n / 60e9);
  n -= minutes * 60e9;
  const seconds = `${trimFraction(n, 1e9)}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}

/** `value / scale` with up to nine fraction digits and no trailing zeros, computed on integers. */
function trimFraction(value: number, scale: number): string {
  const whole = Math.floor(value / scale);
  const rem = value - whole * scale;
  if (rem === 0) return String(whole);
  const digits = String(scale).length - 1;
  const frac = String(rem).padStart(digits, '0').replace(/0+$/, '');
  return `${whole}.${frac}`;
}
