/**
 * The protobuf wire format, as far as converge.proto uses it: varints (bool, uint32, enums) and
 * length-delimited fields (strings, bytes, messages, map entries). The generated codecs in pb.ts call
 * these; nothing here knows a message. Decoding skips fields it does not know, so newer peers keep
 * working, and refuses truncated or malformed input with a ConvergeError naming the problem.
 */
import { ConvergeError } from '../../errors.js';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH = 2;
export const WIRE_FIXED32 = 5;

function malformed(what: string): ConvergeError {
  return new ConvergeError('CNV_ERR_SERVER_REQUEST_INVALID', `malformed protobuf message: ${what}`);
}

export class Reader {
  readonly buf: Buffer;
  pos = 0;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** A varint, as an unsigned 32-bit number (higher bits of a 64-bit varint are dropped, as proto3 does for uint32). */
  uint32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.buf.length) throw malformed('varint runs past the end');
      const byte = this.buf[this.pos++]!;
      if (shift < 32) result |= (byte & 0x7f) << shift;
      if (byte < 0x80) return result >>> 0;
      shift += 7;
      if (shift > 63) throw malformed('varint longer than 10 bytes');
    }
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  /** The end offset of a length-delimited field that starts here. */
  end(): number {
    const length = this.uint32();
    const end = this.pos + length;
    if (end > this.buf.length) throw malformed('length-delimited field runs past the end');
    return end;
  }

  string(): string {
    const end = this.end();
    const text = this.buf.toString('utf8', this.pos, end);
    this.pos = end;
    return text;
  }

  bytes(): Buffer {
    const end = this.end();
    const copy = Buffer.from(this.buf.subarray(this.pos, end));
    this.pos = end;
    return copy;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.uint32();
        return;
      case WIRE_FIXED64:
        this.pos += 8;
        break;
      case WIRE_LENGTH:
        this.pos = this.end();
        return;
      case WIRE_FIXED32:
        this.pos += 4;
        break;
      default:
        throw malformed(`unsupported wire type ${wireType}`);
    }
    if (this.pos > this.buf.length) throw malformed('fixed-size field runs past the end');
  }
}

const INITIAL_BYTES = 1024;

export class Writer {
  buf: Buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  pos = 0;

  #room(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  varint(value: number): void {
    this.#room(5);
    let v = value >>> 0;
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
  }

  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  string(field: number, value: string): void {
    const length = Buffer.byteLength(value, 'utf8');
    this.tag(field, WIRE_LENGTH);
    this.varint(length);
    this.#room(length);
    this.pos += this.buf.write(value, this.pos, length, 'utf8');
  }

  bytes(field: number, value: Uint8Array): void {
    this.tag(field, WIRE_LENGTH);
    this.varint(value.length);
    this.#room(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /**
   * Starts a nested message: writes its tag and one byte for the length, and returns where the body
   * starts. `close` fixes the length, moving the body when it needs a longer varint.
   */
  open(field: number): number {
    this.tag(field, WIRE_LENGTH);
    this.#room(1);
    this.pos += 1;
    return this.pos;
  }

  close(start: number): void {
    const length = this.pos - start;
    let extra = 0;
    for (let v = length >>> 7; v > 0; v >>>= 7) extra += 1;
    if (extra > 0) {
      this.#room(extra);
      this.buf.copyWithin(start + extra, start, this.pos);
      this.pos += extra;
    }
    let at = start - 1;
    let v = length;
    while (v >= 0x80) {
      this.buf[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[at] = v;
  }

  /** The bytes written so far, copied out so that the writer can be reused. */
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    this.pos = 0;
    return out;
  }
}

/** One writer for every top-level encode: serialising is synchronous and never nests across messages. */
const shared = new Writer();

/** Encodes a top-level message with `encode` into a fresh Buffer. */
export function serialize<T>(encode: (message: T, writer: Writer) => void, message: T): Buffer {
  shared.pos = 0;
  encode(message, shared);
  return shared.finish();
}

/** What the generator emits for each message: `T` decoded, `I` accepted by the encoder. */
export interface MessageCodec<T, I> {
  encode(message: I, writer: Writer): void;
  decode(reader: Reader, end: number): T;
  serialize(message: I): Buffer;
  deserialize(bytes: Uint8Array): T;
}

/** Sets a map entry; a key such as `__proto__` becomes an own property instead of changing the prototype. */
export function setEntry<V>(map: Record<string, V>, key: string, value: V): void {
  if (key === '__proto__') Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  else map[key] = value;
}
