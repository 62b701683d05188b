/**
 * Loads proto/converge.proto once per process. The same package definition feeds the gRPC services,
 * server reflection, and the HTTP routes (which read each method's `google.api.http` option).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { assetDir } from '../assets.js';

/** The directory holding `converge.proto` and `google/api/*.proto`. */
export function protoDir(): string {
  const assets = assetDir();
  if (assets !== undefined) return path.join(assets, 'proto');
  // Compiled: build/src/frontdoor/ -> ../../../proto. Run from source: src/frontdoor/ -> ../../proto.
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../../../proto'), path.resolve(here, '../../proto')];
  return candidates.find((dir) => existsSync(path.join(dir, 'converge.proto'))) ?? candidates[0]!;
}

/**
 * `keepCase: false` gives proto3 JSON names (`failingDependencies`), which the HTTP side prints as
 * they are; the original's own fields are already single words or camelCase (`hasChanges`).
 */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

export interface ConvergeProto {
  readonly definition: protoLoader.PackageDefinition;
  readonly pb: {
    readonly Executor: grpc.ServiceClientConstructor;
    readonly ResourceHost: grpc.ServiceClientConstructor;
    readonly Grapher: grpc.ServiceClientConstructor;
    readonly Info: grpc.ServiceClientConstructor;
  };
}

let cached: ConvergeProto | undefined;

export function loadConvergeProto(): ConvergeProto {
  if (cached !== undefined) return cached;
  const dir = protoDir();
  const definition = protoLoader.loadSync('converge.proto', { ...LOADER_OPTIONS, includeDirs: [dir] });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { pb: ConvergeProto['pb'] };
  cached = { definition, pb: loaded.pb };
  return cached;
}
