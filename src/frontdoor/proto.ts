/**
 * The .proto files at run time, for server reflection only: everything else uses the codecs generated
 * from them at build time (wire/pb-*.ts, `npm run gen:proto`). Parsing a .proto is the one costly step
 * here, so it happens on the first reflection request and never on the way to a plan.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PackageDefinition } from '@grpc/proto-loader';
import { assetDir } from '../assets.js';

/** The directory holding `converge.proto` and `google/api/*.proto`. */
export function protoDir(): string {
  const assets = assetDir();
  if (assets !== undefined) return path.join(assets, 'proto');
  // Compiled: build/src/frontdoor/ -> ../../../proto. Bundled (build/bundle/) -> ../../proto.
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../../../proto'), path.resolve(here, '../../proto'), path.resolve(here, '../proto')];
  return candidates.find((dir) => existsSync(path.join(dir, 'converge.proto'))) ?? candidates[0]!;
}

/**
 * converge.proto and the health service's proto as one package definition, with proto3 JSON names
 * (`keepCase: false`), as reflection describes what is served.
 */
export async function loadServedDefinition(): Promise<PackageDefinition> {
  const [protoLoader, health] = await Promise.all([import('@grpc/proto-loader'), import('grpc-health-check')]);
  const options = { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true };
  return {
    ...protoLoader.loadSync('converge.proto', { ...options, includeDirs: [protoDir()] }),
    ...protoLoader.loadSync(health.protoPath, { keepCase: true }),
  };
}
