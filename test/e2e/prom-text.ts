/** Reading Prometheus's text exposition format in tests, and scraping it with a real HTTP client. */

/** Samples by `name{label="v",...}` (labels sorted by name, `le` included), each with its value. */
export function parsePromText(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const labels = [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, name, value]) => `${name}="${value}"`)
      .sort();
    const value = sampleValue(match[3]!);
    if (value === undefined) throw new Error(`not a number in: ${line}`);
    samples.set(labels.length === 0 ? match[1]! : `${match[1]}{${labels.join(',')}}`, value);
  }
  return samples;
}

/**
 * Prometheus reads values with Go's ParseFloat, which takes NaN and Inf in any case; prom-client prints
 * "Nan" for an event-loop lag that has no sample yet, so a scrape right after start can hold one.
 */
function sampleValue(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  const value = Number(text);
  return Number.isNaN(value) ? undefined : value;
}

/** GETs `url` (http://host:port/metrics) and parses the answer; throws on a non-200. */
export async function scrape(url: string): Promise<Map<string, number>> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status}`);
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('text/plain')) throw new Error(`GET ${url}: content-type ${type}`);
  return parsePromText(await response.text());
}

/** The address of the metrics listener, from the server's `serving metrics` log line. */
export function metricsAddress(stderr: string): string {
  const match = /msg="serving metrics" addr="(127\.0\.0\.1:\d+)"/.exec(stderr);
  if (match === null) throw new Error(`no "serving metrics" line in:\n${stderr}`);
  return match[1]!;
}
