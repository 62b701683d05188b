/**
 * gRPC server reflection, built on first use. @grpc/reflection indexes every descriptor up front
 * (google/protobuf/descriptor.proto included), which measured as the largest single cost of starting a
 * server; `converge plan --local` starts one per command and never asks for reflection. So the
 * reflection services are registered at start-up with handlers that build the index on the first call.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { assetDir } from '../assets.js';

/** The options @grpc/reflection decodes its own requests with; ours must match. */
const REFLECTION_LOADER_OPTIONS: protoLoader.Options = { longs: String, enums: String, bytes: Array, defaults: true, oneofs: true };

type Handler = (message: unknown) => unknown;

function reflectionProtoDir(): string {
  const assets = assetDir();
  if (assets !== undefined) return path.join(assets, 'pkgs', '@grpc/reflection/build/proto');
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@grpc/reflection')), '../proto');
}

/** Registers reflection v1 and v1alpha; `definition` is called once, on the first reflection request. */
export function addLazyReflection(server: grpc.Server, definition: () => protoLoader.PackageDefinition): void {
  let service: ReflectionService | undefined;
  // The per-version handlers are fields of the service object (not in its typings); the reflection test
  // pins this down.
  const handler = (version: 'v1' | 'v1Alpha'): Handler => {
    service ??= new ReflectionService(definition());
    const impl = (service as unknown as Record<string, { handleServerReflectionRequest: Handler }>)[version]!;
    return (message) => impl.handleServerReflectionRequest(message);
  };
  const dir = reflectionProtoDir();
  for (const [version, file, pkg] of [
    ['v1', 'grpc/reflection/v1/reflection.proto', 'v1'],
    ['v1Alpha', 'grpc/reflection/v1alpha/reflection.proto', 'v1alpha'],
  ] as const) {
    const loaded = grpc.loadPackageDefinition(protoLoader.loadSync(path.join(dir, file), REFLECTION_LOADER_OPTIONS)) as unknown as {
      grpc: { reflection: Record<string, { ServerReflection: grpc.ServiceClientConstructor }> };
    };
    server.addService(loaded.grpc.reflection[pkg]!.ServerReflection.service, {
      ServerReflectionInfo: (stream: grpc.ServerDuplexStream<unknown, unknown>) => {
        stream.on('end', () => stream.end());
        stream.on('data', (message: unknown) => {
          try {
            stream.write(handler(version)(message));
          } catch {
            stream.emit('error', { code: grpc.status.INTERNAL, details: 'reflection failed' });
          }
        });
      },
    });
  }
}
