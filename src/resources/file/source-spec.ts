/**
 * The settings file.fetch and unarchive share: a source and a destination as the module wrote them,
 * an optional checksum (`hash_type` and `hash`) and `force`; how they are decoded and exported.
 */
import path from 'node:path';
import { checksumFromFields, type Checksum } from './hashing.js';
import type { DecodedFields, PrepareContext } from '../types.js';

export interface SourceSpec {
  readonly sourceText: string;
  readonly destinationText: string;
  /** `destinationText` resolved against the module's directory. */
  readonly destination: string;
  readonly checksum: Checksum | undefined;
  readonly force: boolean;
}

/** Decodes the shared settings; throws the original's messages for a bad `hash_type` / `hash` pair. */
export function sourceSpec(fields: DecodedFields, ctx: PrepareContext): SourceSpec {
  const destinationText = String(fields['destination']);
  return {
    sourceText: String(fields['source']),
    destinationText,
    destination: path.resolve(ctx.cwd, destinationText),
    checksum: checksumFromFields(fields['hash_type'], fields['hash'], ctx),
    force: fields['force'] === true,
  };
}

/** The exported values, named as both kinds export them. */
export function sourceExports(spec: SourceSpec): Readonly<Record<string, unknown>> {
  return {
    source: spec.sourceText,
    destination: spec.destinationText,
    hash_type: spec.checksum?.type ?? '',
    hash: spec.checksum?.hex ?? '',
    force: spec.force,
  };
}
