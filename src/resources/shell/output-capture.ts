/**
 * What a script prints, kept in bounded memory: the first `headBytes` and the last `tailBytes` of a
 * stream, and a count of everything between. Chunks are copied into two fixed buffers as they arrive
 * and never concatenated, so a check that prints 100 MB costs the same as one that prints 128 KiB.
 */

/** `cut` bytes left out between the head and the tail; the flag names what raises the limit. */
export function cutMarker(cut: number): string {
  return `\n[... ${cut} bytes of output cut here; converge server --max-task-output raises the limit ...]\n`;
}

export class OutputCapture {
  readonly #headBytes: number;
  readonly #tailBytes: number;
  #head: Buffer | undefined;
  #headUsed = 0;
  // A ring: `#tailStart` is the oldest byte once the ring is full.
  #tail: Buffer | undefined;
  #tailUsed = 0;
  #tailStart = 0;
  #total = 0;

  /** `limitBytes` is split evenly between the head and the tail. */
  constructor(limitBytes: number) {
    this.#headBytes = Math.ceil(limitBytes / 2);
    this.#tailBytes = Math.floor(limitBytes / 2);
  }

  /** Bytes the stream carried, kept or not. */
  get totalBytes(): number {
    return this.#total;
  }

  push(chunk: Buffer): void {
    this.#total += chunk.length;
    let offset = 0;
    if (this.#headUsed < this.#headBytes) {
      this.#head ??= Buffer.allocUnsafe(this.#headBytes);
      const n = Math.min(chunk.length, this.#headBytes - this.#headUsed);
      chunk.copy(this.#head, this.#headUsed, 0, n);
      this.#headUsed += n;
      offset = n;
    }
    if (offset >= chunk.length || this.#tailBytes === 0) return;
    this.#tail ??= Buffer.allocUnsafe(this.#tailBytes);
    // Only the last tailBytes of a large chunk can survive, so skip the rest of it outright.
    const start = Math.max(offset, chunk.length - this.#tailBytes);
    for (let i = start; i < chunk.length; ) {
      const at = (this.#tailStart + this.#tailUsed) % this.#tailBytes;
      const n = Math.min(chunk.length - i, this.#tailBytes - at);
      chunk.copy(this.#tail, at, i, i + n);
      i += n;
      const grow = Math.min(n, this.#tailBytes - this.#tailUsed);
      this.#tailUsed += grow;
      // Bytes written past a full ring overwrote the oldest ones.
      this.#tailStart = (this.#tailStart + (n - grow)) % this.#tailBytes;
    }
  }

  /** Bytes dropped between the head and the tail. */
  get cutBytes(): number {
    return this.#total - this.#headUsed - this.#tailUsed;
  }

  /**
   * The kept text. When something was cut, the marker stands in its place, and the head and the tail
   * are trimmed to whole UTF-8 characters (the trimmed bytes count as cut).
   */
  text(): string {
    const head = this.#head?.subarray(0, this.#headUsed) ?? Buffer.alloc(0);
    if (this.cutBytes === 0) {
      if (this.#tailUsed === 0) return head.toString('utf8');
      return Buffer.concat([head, this.#orderedTail()]).toString('utf8');
    }
    const tail = this.#orderedTail();
    const headEnd = completeEnd(head);
    const tailStart = continuationCount(tail);
    const cut = this.cutBytes + (head.length - headEnd) + tailStart;
    return head.subarray(0, headEnd).toString('utf8') + cutMarker(cut) + tail.subarray(tailStart).toString('utf8');
  }

  #orderedTail(): Buffer {
    if (this.#tail === undefined || this.#tailUsed === 0) return Buffer.alloc(0);
    if (this.#tailStart === 0) return this.#tail.subarray(0, this.#tailUsed);
    return Buffer.concat([this.#tail.subarray(this.#tailStart), this.#tail.subarray(0, this.#tailStart)]);
  }
}

/** Where `buf` stops holding whole UTF-8 sequences (it may end mid-character). */
function completeEnd(buf: Buffer): number {
  // A sequence is at most 4 bytes: look back for its lead byte and check that it is complete.
  for (let back = 1; back <= Math.min(4, buf.length); back += 1) {
    const byte = buf[buf.length - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? buf.length - back : buf.length;
  }
  return buf.length;
}

/** Continuation bytes at the start of `buf`: the rest of a character whose start was cut. */
function continuationCount(buf: Buffer): number {
  let n = 0;
  while (n < Math.min(3, buf.length) && (buf[n]! & 0xc0) === 0x80) n += 1;
  return n;
}
