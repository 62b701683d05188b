/**
 * Writing many gRPC messages of one stream in a single HTTP/2 write. grpc-js's server stream passes each
 * message to HTTP/2 alone and waits until it is written before it takes the next: a 100-node plan cost
 * 200 turns of the event loop and 200 native writes, most of the front door's time under many clients.
 * Given a _writev, the stream hands over every message that queued up meanwhile in one go. When the
 * call is grpc-js's own (the members below are there), they are framed (the 5-byte gRPC prefix each)
 * into one buffer and written at once, which a reader parses as the same messages one after another;
 * otherwise each goes through grpc-js's sendMessage, still without a turn between them.
 */

/** The members of grpc-js's BaseServerInterceptingCall used here (not in its typings). */
interface GrpcJsCall {
  sendMessage(message: unknown, callback: () => void): void;
  checkCancelled(): boolean;
  maybeSendMetadata(): void;
  sendStatus(status: { code: number; details: string; metadata: null }): void;
  readonly handler: { serialize(message: unknown): Buffer };
  readonly stream: { write(data: Buffer, callback: (error?: Error | null) => void): boolean };
  readonly maxSendMessageSize: number;
  readonly callEventTracker?: { addMessageSent(): void } | undefined;
}

type Chunks = ReadonlyArray<{ chunk: unknown }>;
type Writev = (chunks: Chunks, callback: () => void) => void;

/** gRPC status codes used here (grpc-js's Status enum). */
const INTERNAL = 13;
const RESOURCE_EXHAUSTED = 8;

function isGrpcJsCall(inner: Partial<GrpcJsCall> | undefined): inner is GrpcJsCall {
  return (
    typeof inner?.sendMessage === 'function' &&
    typeof inner.checkCancelled === 'function' &&
    typeof inner.maybeSendMetadata === 'function' &&
    typeof inner.sendStatus === 'function' &&
    typeof inner.handler?.serialize === 'function' &&
    typeof inner.stream?.write === 'function' &&
    typeof inner.maxSendMessageSize === 'number'
  );
}

/** One buffer holding every message with its gRPC prefix (uncompressed flag, 4-byte length). */
function frame(call: GrpcJsCall, chunks: Chunks): Buffer | undefined {
  const bodies: Buffer[] = [];
  let total = 0;
  for (const { chunk } of chunks) {
    let body: Buffer;
    try {
      body = call.handler.serialize(chunk);
    } catch {
      call.sendStatus({ code: INTERNAL, details: 'Error serializing response', metadata: null });
      return undefined;
    }
    if (call.maxSendMessageSize !== -1 && body.length > call.maxSendMessageSize) {
      call.sendStatus({ code: RESOURCE_EXHAUSTED, details: `Sent message larger than max (${body.length} vs. ${call.maxSendMessageSize})`, metadata: null });
      return undefined;
    }
    bodies.push(body);
    total += body.length + 5;
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const body of bodies) {
    out.writeUInt8(0, at);
    out.writeUInt32BE(body.length, at + 1);
    body.copy(out, at + 5);
    at += body.length + 5;
  }
  return out;
}

function framedWritev(call: GrpcJsCall): Writev {
  return (chunks, callback) => {
    // As grpc-js's sendMessage: a cancelled call writes nothing and never calls back.
    if (call.checkCancelled()) return;
    const data = frame(call, chunks);
    if (data === undefined) return;
    call.maybeSendMetadata();
    call.stream.write(data, (error) => {
      if (error) {
        call.sendStatus({ code: INTERNAL, details: 'Internal server error', metadata: null });
        return;
      }
      for (let i = 0; i < chunks.length; i += 1) call.callEventTracker?.addMessageSent();
      callback();
    });
  };
}

function oneByOneWritev(sender: Pick<GrpcJsCall, 'sendMessage'>): Writev {
  return (chunks, callback) => {
    let left = chunks.length;
    const one = (): void => {
      if ((left -= 1) === 0) callback();
    };
    for (const { chunk } of chunks) sender.sendMessage(chunk, one);
  };
}

/** Gives a grpc-js server stream a _writev; a stream without the inner call is left as it is. */
export function sendQueuedTogether(call: object): void {
  const inner = (call as { call?: Partial<GrpcJsCall> }).call;
  if (typeof inner?.sendMessage !== 'function') return;
  const writev = isGrpcJsCall(inner) ? framedWritev(inner) : oneByOneWritev(inner as Pick<GrpcJsCall, 'sendMessage'>);
  Object.defineProperty(call, '_writev', { value: writev, configurable: true, writable: true });
}
