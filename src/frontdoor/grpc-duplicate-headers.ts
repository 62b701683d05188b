/**
 * node:http2 keeps only the first value of a header it treats as single-valued, and `authorization`
 * is one of them, so grpc-js would see one credential where a client sent two. The raw header list
 * still has them all: a listener that runs before grpc-js's own puts every value back, and
 * auth.ts then refuses the request as a duplicate instead of letting the first value win.
 */
import type http2 from 'node:http2';
import type * as grpc from '@grpc/grpc-js';

const REFUSED_DUPLICATES = ['authorization'] as const;

function restoreDuplicates(_stream: unknown, headers: http2.IncomingHttpHeaders, _flags: number, raw: unknown): void {
  if (!Array.isArray(raw)) return;
  for (const name of REFUSED_DUPLICATES) {
    const values: string[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (String(raw[i]).toLowerCase() === name) values.push(String(raw[i + 1]));
    }
    // grpc-js turns an array into one metadata entry per value.
    if (values.length > 1) (headers as Record<string, unknown>)[name] = values;
  }
}

/**
 * Call right after createConnectionInjector(). grpc-js keeps its HTTP/2 servers in a private map;
 * if a release renames it, start-up fails here rather than silently letting duplicates through.
 */
export function keepDuplicateCredentials(server: grpc.Server): void {
  const servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(servers instanceof Map) || servers.size === 0) {
    throw new Error('grpc-js internals changed: no HTTP/2 server to watch for duplicate credentials');
  }
  for (const http2Server of servers.keys() as IterableIterator<http2.Http2Server>) {
    http2Server.prependListener('stream', restoreDuplicates);
  }
}
