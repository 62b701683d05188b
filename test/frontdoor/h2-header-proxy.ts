/**
 * A loopback TCP proxy that adds one header to every HTTP/2 request a client sends through it.
 * node:http2 clients refuse to send `authorization` twice, so this is how a test gets a real
 * grpc-js client's request onto the wire with a second one. The header is appended to the header
 * block as an HPACK literal "without indexing", which leaves both sides' HPACK tables as they were,
 * so the rest of the connection decodes normally. Server-to-client bytes pass through untouched.
 */
import net from 'node:net';
import type { ExecutionContext } from 'ava';

const PREFACE_BYTES = 24;
const FRAME_HEADER_BYTES = 9;
const TYPE_HEADERS = 0x1;
const TYPE_CONTINUATION = 0x9;
const FLAG_END_HEADERS = 0x4;
const FLAG_PADDED = 0x8;

/** HPACK integer with an N-bit prefix (RFC 7541, 5.1). */
function hpackInteger(value: number, prefixBits: number, firstByteFlags = 0): Buffer {
  const max = (1 << prefixBits) - 1;
  if (value < max) return Buffer.from([firstByteFlags | value]);
  const bytes = [firstByteFlags | max];
  let rest = value - max;
  while (rest >= 128) {
    bytes.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

function hpackString(text: string): Buffer {
  const raw = Buffer.from(text, 'latin1');
  return Buffer.concat([hpackInteger(raw.length, 7), raw]);
}

/** Literal header field without indexing, new name (RFC 7541, 6.2.2). */
export function hpackLiteral(name: string, value: string): Buffer {
  return Buffer.concat([Buffer.from([0x00]), hpackString(name), hpackString(value)]);
}

/** Rewrites client-to-server bytes: frames are parsed as they arrive, and the block ending a request's headers grows. */
class HeaderAppender {
  #pending = Buffer.alloc(0);
  #prefaceLeft = PREFACE_BYTES;

  constructor(readonly extra: () => Buffer | undefined) {}

  push(chunk: Buffer): Buffer {
    this.#pending = Buffer.concat([this.#pending, chunk]);
    const out: Buffer[] = [];
    if (this.#prefaceLeft > 0) {
      const take = Math.min(this.#prefaceLeft, this.#pending.length);
      out.push(this.#pending.subarray(0, take));
      this.#pending = this.#pending.subarray(take);
      this.#prefaceLeft -= take;
    }
    while (this.#prefaceLeft === 0 && this.#pending.length >= FRAME_HEADER_BYTES) {
      const length = this.#pending.readUIntBE(0, 3);
      if (this.#pending.length < FRAME_HEADER_BYTES + length) break;
      out.push(this.#frame(this.#pending.subarray(0, FRAME_HEADER_BYTES + length)));
      this.#pending = this.#pending.subarray(FRAME_HEADER_BYTES + length);
    }
    return Buffer.concat(out);
  }

  #frame(frame: Buffer): Buffer {
    const type = frame[3] ?? 0;
    const flags = frame[4] ?? 0;
    const endsHeaders = (type === TYPE_HEADERS || type === TYPE_CONTINUATION) && (flags & FLAG_END_HEADERS) !== 0;
    const extra = endsHeaders ? this.extra() : undefined;
    if (extra === undefined) return frame;
    const payload = frame.subarray(FRAME_HEADER_BYTES);
    const padding = type === TYPE_HEADERS && (flags & FLAG_PADDED) !== 0 ? (payload[0] ?? 0) : 0;
    const block = payload.subarray(0, payload.length - padding);
    const grown = Buffer.concat([block, extra, payload.subarray(payload.length - padding)]);
    const header = Buffer.from(frame.subarray(0, FRAME_HEADER_BYTES));
    header.writeUIntBE(grown.length, 0, 3);
    return Buffer.concat([header, grown]);
  }
}

/** Starts the proxy in front of `port`; `extra()` gives the bytes to append to each request's headers (or none). */
export async function headerProxy(t: ExecutionContext, port: number, extra: () => Buffer | undefined): Promise<number> {
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((downstream) => {
    const upstream = net.connect(port, '127.0.0.1');
    const appender = new HeaderAppender(extra);
    for (const socket of [downstream, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        downstream.destroy();
        upstream.destroy();
      });
    }
    downstream.on('data', (chunk: Buffer) => upstream.write(appender.push(chunk)));
    upstream.pipe(downstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => proxy.close(() => resolve()));
  });
  return (proxy.address() as net.AddressInfo).port;
}
