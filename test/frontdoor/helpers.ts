/**
 * Shared set-up for the front-door tests: temp dirs, a real server on 127.0.0.1 port 0 with a real
 * worker pool, raw HTTP requests, and JWTs built by hand for the auth matrix.
 */
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { startServer, type RunningServer, type ServerOptions } from '../../src/frontdoor/server.js';
import { SILENT_LOGGER } from '../../src/frontdoor/logger.js';
import { ConvergeClient, type ClientOptions } from '../../src/frontdoor/client.js';

export function tempDir(t: ExecutionContext, prefix = 'converge-fd-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A real server on loopback, closed in teardown. */
export async function serve(t: ExecutionContext, options: ServerOptions = {}): Promise<RunningServer> {
  const server = await startServer({ host: '127.0.0.1', port: 0, logger: SILENT_LOGGER, ...options });
  t.teardown(() => server.close());
  return server;
}

export function client(t: ExecutionContext, server: RunningServer, options: ClientOptions = {}): ConvergeClient {
  const c = new ConvergeClient({ address: `127.0.0.1:${server.port}`, token: server.token, ...options });
  t.teardown(() => c.close());
  return c;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One HTTP/1.1 request with full control over headers (fetch would add its own). */
export function request(
  server: { readonly port: number },
  method: string,
  pathname: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: server.port, method, path: pathname, headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

function b64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** A JWT built by hand, so tests can make every kind of bad token. */
export function handJwt(
  secret: string,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'HS512', typ: 'JWT' },
): string {
  const head = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const alg = header['alg'];
  if (alg === 'none') return `${head}.`;
  const hash = alg === 'HS256' ? 'sha256' : 'sha512';
  return `${head}.${createHmac(hash, secret).update(head).digest('base64url')}`;
}

export function nowS(): number {
  return Math.floor(Date.now() / 1000);
}
