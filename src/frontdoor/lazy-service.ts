/**
 * gRPC services whose code loads on their first call. Health and reflection come from packages that
 * parse .proto files when they load (protobufjs, then a descriptor index), which cost more than the
 * rest of a `--local` start-up together, and a plan never calls them. Each is registered at start-up
 * as methods that pass raw bytes; the first call imports the package, lets it register itself on a
 * recorder instead of the server, and from then on each call is decoded and handed to the package's
 * own handler through a small adapter.
 */
import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';

/** A method as known before its package is loaded: its path and streaming shape. */
export interface LazyMethod {
  readonly path: string;
  readonly name: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
}

interface Loaded {
  readonly definition: grpc.MethodDefinition<unknown, unknown>;
  readonly handler: grpc.UntypedHandleCall;
}

/**
 * Calls the package's own handler with the adapter in place of a grpc-js call. The handlers use only
 * what CallAdapter has (request, metadata, write, end, events), which the typings cannot express.
 */
function invoke(handler: grpc.UntypedHandleCall, adapter: CallAdapter, callback?: (error: unknown, value?: unknown) => void): void {
  Reflect.apply(handler, undefined, callback === undefined ? [adapter] : [adapter, callback]);
}

/** Something that registers services the way a package's `addToServer` does. */
export type Registrar = (recorder: Pick<grpc.Server, 'addService'>) => void;

const raw = (bytes: Buffer): Buffer => bytes;

/** What the package's handler sees instead of the grpc-js call: decoded requests, encoding writes. */
class CallAdapter extends EventEmitter {
  request: unknown;
  readonly metadata: grpc.Metadata;
  readonly #write: (message: unknown) => void;
  readonly #end: () => void;

  constructor(request: unknown, metadata: grpc.Metadata, write: (message: unknown) => void, end: () => void) {
    super();
    this.request = request;
    this.metadata = metadata;
    this.#write = write;
    this.#end = end;
  }

  write(message: unknown): boolean {
    this.#write(message);
    return true;
  }

  end(): void {
    this.#end();
  }
}

function record(register: Registrar): Map<string, Loaded> {
  const byPath = new Map<string, Loaded>();
  register({
    addService: (service, implementation) => {
      for (const [name, definition] of Object.entries(service)) {
        const handler = implementation[name] ?? (definition.originalName === undefined ? undefined : implementation[definition.originalName]);
        if (handler !== undefined) byPath.set(definition.path, { definition, handler });
      }
    },
  });
  return byPath;
}

/** Registers `methods` on `server`; `load` runs once, on the first call of any of them. */
export function addLazyService(server: grpc.Server, methods: readonly LazyMethod[], load: () => Promise<Registrar>): void {
  let loaded: Promise<Map<string, Loaded>> | undefined;
  const resolve = async (path: string): Promise<Loaded> => {
    loaded ??= load().then(record);
    const found = (await loaded).get(path);
    if (found === undefined) throw new Error(`lazy service has no handler for ${path}`);
    return found;
  };
  const failed = { code: grpc.status.INTERNAL, details: 'service failed to load' };
  const definition: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const method of methods) {
    definition[method.name] = { ...method, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw };
    implementation[method.name] = handlerFor(method, resolve, failed);
  }
  server.addService(definition, implementation);
}

type Resolve = (path: string) => Promise<Loaded>;

function handlerFor(method: LazyMethod, resolve: Resolve, failed: Partial<grpc.ServiceError>): grpc.UntypedHandleCall {
  if (!method.responseStream) {
    const unary: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
      resolve(method.path).then(({ definition, handler }) => {
        const adapter = new CallAdapter(definition.requestDeserialize(call.request), call.metadata, () => {}, () => {});
        invoke(handler, adapter, (error, value) => {
          if (error !== null && error !== undefined) callback(error as Partial<grpc.ServiceError>);
          else callback(null, definition.responseSerialize(value));
        });
      }, () => callback(failed));
    };
    return unary;
  }
  if (!method.requestStream) {
    const stream: grpc.handleServerStreamingCall<Buffer, Buffer> = (call) => {
      resolve(method.path).then(({ definition, handler }) => {
        const adapter = new CallAdapter(definition.requestDeserialize(call.request), call.metadata, (m) => call.write(definition.responseSerialize(m)), () => call.end());
        call.on('cancelled', () => adapter.emit('cancelled'));
        invoke(handler, adapter);
      }, () => call.emit('error', failed));
    };
    return stream;
  }
  const bidi: grpc.handleBidiStreamingCall<Buffer, Buffer> = (call) => {
    // Messages are decoded in arrival order once the package is loaded.
    let chain = resolve(method.path).then(({ definition, handler }) => {
      const adapter = new CallAdapter(undefined, call.metadata, (m) => call.write(definition.responseSerialize(m)), () => call.end());
      invoke(handler, adapter);
      return { definition, adapter };
    });
    const fail = (): void => {
      call.emit('error', failed);
    };
    call.on('data', (bytes: Buffer) => {
      chain = chain.then((state) => {
        state.adapter.emit('data', state.definition.requestDeserialize(bytes));
        return state;
      });
      chain.catch(fail);
    });
    call.on('end', () => {
      void chain.then((state) => state.adapter.emit('end'), fail);
    });
  };
  return bidi;
}
