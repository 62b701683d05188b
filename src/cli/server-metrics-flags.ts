/**
 * `converge server --metrics-addr HOST:PORT`: where Prometheus scrapes /metrics. Off unless given, so a
 * server that is not scraped never loads prom-client.
 */
import { parseHostPort } from './address.js';
import type { FlagSpec, FlagValue } from './args.js';

export const SERVER_METRICS_FLAGS: readonly FlagSpec[] = [
  {
    name: 'metrics-addr',
    type: 'string',
    valueName: 'host:port',
    description: 'serve Prometheus metrics at http://host:port/metrics, plain HTTP without auth (off when unset; e.g. 127.0.0.1:9474)',
  },
];

/** The server's metrics option from the parsed flags; none without --metrics-addr. */
export function metricsOptionsFromFlags(flags: Readonly<Record<string, FlagValue>>): { metrics?: { host: string; port: number } } {
  const text = flags['metrics-addr'];
  if (typeof text !== 'string' || text === '') return {};
  return { metrics: parseHostPort(text, '--metrics-addr', '127.0.0.1') };
}
