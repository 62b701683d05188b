/**
 * A reader that goes away early (`converge plan -o json | head`) closes our stdout. Node then emits
 * EPIPE as an 'error' event, which unhandled kills the process mid-run: an apply would stop between
 * nodes. The output is no longer wanted, so it is dropped and the run goes on to its end and exit
 * status, as a run whose terminal was closed does.
 */

const guarded = new WeakSet<NodeJS.WritableStream>();

function isBrokenPipe(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

/** Makes `stream` drop what is written to it once its reader has gone. Returns the stream. */
export function dropOnBrokenPipe<T extends NodeJS.WritableStream>(stream: T): T {
  if (guarded.has(stream)) return stream;
  guarded.add(stream);
  stream.on('error', (error: unknown) => {
    if (!isBrokenPipe(error)) throw error;
  });
  return stream;
}
