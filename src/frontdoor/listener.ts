/**
 * The TCP edge of the server: one port for gRPC and HTTP/1.1. Plaintext connections are sniffed (the
 * HTTP/2 preface goes to grpc-js, anything else to node:http); under TLS the ALPN result decides
 * (clients that offer http/1.1, such as curl, get it; gRPC clients offer only h2).
 *
 * Nothing here needs authentication, so everything is bounded: connections in total and per peer
 * address, and the time a connection may take to finish TLS and send its first bytes. Later stages
 * (node:http, grpc-js) have their own timeouts, set in server.ts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import type tls from 'node:tls';
import { RESERVED_FDS } from '../defaults.js';
import type { Logger } from './logger.js';
import { serverSecureOptions, type LoadedTls } from './tls.js';

export interface ListenerLimits {
  readonly maxConnections: number;
  readonly maxConnectionsPerPeer: number;
  /** Milliseconds for TLS and the first bytes; past it the socket is closed. */
  readonly handshakeTimeoutMs: number;
}

export interface Listener {
  readonly server: net.Server;
  /** Connections open now. */
  readonly open: number;
  /** The connection cap in force (maxConnections, lowered to fit the open-file limit). */
  readonly maxConnections: number;
  /** Closes every open connection. */
  destroyAll(): void;
}

const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n');

/** The soft RLIMIT_NOFILE, from /proc (Node has no getrlimit); undefined where unknown or unlimited. */
export function openFileLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined || !/^\d+$/.test(soft) ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

/** The connection cap that fits `fileLimit`, keeping fds free for the work the connections ask for. */
export function connectionCap(maxConnections: number, fileLimit: number | undefined): number {
  if (fileLimit === undefined) return maxConnections;
  const reserve = Math.min(RESERVED_FDS, Math.floor(fileLimit / 4));
  return Math.max(1, Math.min(maxConnections, fileLimit - reserve));
}

/** IPv4 peers on a dual-stack socket appear as ::ffff:a.b.c.d; count them as the same peer. */
function peerOf(socket: net.Socket): string {
  const address = socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * Calls `decide` with whether the connection starts with the HTTP/2 preface, then puts the bytes back.
 * A connection that sends nothing, or only part of the preface, is closed after `timeoutMs`.
 */
function sniff(socket: net.Socket, timeoutMs: number, decide: (isHttp2: boolean) => void): void {
  let seen: Buffer = Buffer.alloc(0);
  const timer = setTimeout(() => socket.destroy(), timeoutMs);
  const onData = (chunk: Buffer): void => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const n = Math.min(seen.length, HTTP2_PREFACE.length);
    const matches = seen.subarray(0, n).equals(HTTP2_PREFACE.subarray(0, n));
    if (matches && n < HTTP2_PREFACE.length) return;
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('error', onError);
    socket.off('close', onClose);
    socket.pause();
    socket.unshift(seen);
    decide(matches);
  };
  const onError = (): void => {
    socket.destroy();
  };
  const onClose = (): void => clearTimeout(timer);
  socket.on('data', onData);
  socket.on('error', onError);
  socket.once('close', onClose);
}

/** One log line per second at most for refusals, with the count since the last line. */
function throttledRefusals(logger: Logger): (peer: string, reason: string) => void {
  let last = 0;
  let skipped = 0;
  return (peer, reason) => {
    const now = Date.now();
    if (now - last < 1000) {
      skipped += 1;
      return;
    }
    logger.log('INFO', 'connection refused', { peer, reason, ...(skipped > 0 ? { alsoRefused: skipped } : {}) });
    last = now;
    skipped = 0;
  };
}

export interface ListenerOptions {
  readonly tls: LoadedTls | undefined;
  readonly limits: ListenerLimits;
  readonly logger: Logger;
  /** Hands a connection to gRPC (true) or HTTP/1.1 (false), its first bytes still unread. */
  readonly dispatch: (socket: net.Socket, isHttp2: boolean) => void;
}

function createServerFor(options: ListenerOptions, onSocket: (socket: net.Socket, ready: () => void) => void): net.Server {
  const { limits, dispatch } = options;
  const plain = (socket: net.Socket): void => sniff(socket, limits.handshakeTimeoutMs, (isHttp2) => dispatch(socket, isHttp2));
  if (options.tls === undefined) return net.createServer((socket) => onSocket(socket, () => plain(socket)));
  // Loaded only here: node:tls costs about 10 ms to load, and a plaintext server (--local) never needs it.
  // Any absolute path serves a built-in; import.meta.url is empty inside the self-contained binary.
  const { createServer } = createRequire(process.execPath)('node:tls') as typeof tls;
  const server = createServer({
    ...serverSecureOptions(options.tls),
    handshakeTimeout: limits.handshakeTimeoutMs,
    ALPNCallback: ({ protocols }) => (protocols.includes('http/1.1') ? 'http/1.1' : protocols.includes('h2') ? 'h2' : undefined),
  });
  // Count the raw TCP connection, not the finished handshake: a peer stuck in TLS holds an fd too.
  server.on('connection', (socket: net.Socket) => onSocket(socket, () => undefined));
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    if (socket.alpnProtocol === 'h2') dispatch(socket, true);
    else if (socket.alpnProtocol === 'http/1.1') dispatch(socket, false);
    else plain(socket);
  });
  server.on('tlsClientError', (error) => options.logger.log('DEBUG', 'TLS handshake failed', { error: error.message }));
  return server;
}

/** Builds the listening server (not yet listening) with its caps and first-bytes timeout. */
export function createListener(options: ListenerOptions): Listener {
  const { limits, logger } = options;
  const cap = connectionCap(limits.maxConnections, openFileLimit());
  if (cap < limits.maxConnections) {
    logger.log('WARN', 'connection cap lowered to fit the open-file limit (raise it with ulimit -n)', {
      maxConnections: limits.maxConnections,
      effective: cap,
      openFileLimit: openFileLimit(),
    });
  }
  const sockets = new Set<net.Socket>();
  const perPeer = new Map<string, number>();
  const refused = throttledRefusals(logger);
  const onSocket = (socket: net.Socket, ready: () => void): void => {
    const peer = peerOf(socket);
    const fromPeer = perPeer.get(peer) ?? 0;
    if (sockets.size >= cap || fromPeer >= limits.maxConnectionsPerPeer) {
      const reason =
        sockets.size >= cap
          ? `${cap} connections open (--max-connections)`
          : `${fromPeer} connections open from this peer (--max-connections-per-peer ${limits.maxConnectionsPerPeer})`;
      refused(peer, reason);
      socket.destroy();
      return;
    }
    sockets.add(socket);
    perPeer.set(peer, fromPeer + 1);
    socket.once('close', () => {
      sockets.delete(socket);
      const left = (perPeer.get(peer) ?? 1) - 1;
      if (left <= 0) perPeer.delete(peer);
      else perPeer.set(peer, left);
    });
    ready();
  };
  const server = createServerFor(options, onSocket);
  // After listen(), accept errors (EMFILE when every fd is taken) must not crash the process: libuv keeps
  // listening, and connections are accepted again as soon as fds are free.
  const acceptFailed = throttledRefusals(logger);
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (server.listening) acceptFailed('', `accept failed: ${error.code ?? error.message}`);
  });
  return {
    server,
    get open() {
      return sockets.size;
    },
    maxConnections: cap,
    destroyAll() {
      for (const socket of sockets) socket.destroy();
    },
  };
}
