/**
 * The /metrics endpoint on its own port (--metrics-addr), plain HTTP and without authentication:
 * Prometheus cannot mint the short-lived JWTs the RPC port asks for, and a scrape should not queue
 * behind the RPC port's connection caps. Anyone who reaches the port can read the counts (never a
 * secret: run kinds, outcomes, module names of schedules), so a non-loopback address is warned about.
 */
import http from 'node:http';
import net from 'node:net';
import { listen } from './listen.js';
import type { Logger } from './logger.js';
import type { MetricsSources } from './metrics.js';
import { createPromMetrics, type PromMetrics } from './metrics-registry.js';

export interface MetricsEndpoint {
  readonly metrics: PromMetrics;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === '::1' || /^::ffff:127\./i.test(bare);
}

export async function startMetricsEndpoint(host: string, port: number, sources: MetricsSources, logger: Logger): Promise<MetricsEndpoint> {
  const metrics = createPromMetrics(sources);
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('not found: metrics are served at /metrics\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('method not allowed: GET /metrics\n');
      return;
    }
    metrics.scrape().then(
      (text) => {
        response.writeHead(200, { 'Content-Type': metrics.registry.contentType, 'Content-Length': Buffer.byteLength(text) });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        logger.log('ERROR', 'metrics scrape failed', { component: 'metrics', error: (error as Error).message });
        response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        response.end('metrics scrape failed; the server log says why\n');
      },
    );
  });
  // A scraper keeps its connection between scrapes; close() must not wait for it.
  server.keepAliveTimeout = 5_000;
  const bound = await listen(server, host, port, '--metrics-addr');
  logger.log('INFO', 'serving metrics', { addr: `${host}:${bound}`, component: 'metrics' });
  if (!isLoopback(host)) {
    logger.log('WARN', 'metrics are served without authentication on a non-loopback address; anyone who reaches it can read them', {
      addr: `${host}:${bound}`,
      component: 'metrics',
    });
  }
  return {
    metrics,
    host,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
