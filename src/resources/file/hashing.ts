/**
 * Checksums shared by file.fetch and unarchive: the hash types the original accepts, the validation of
 * `hash_type` and `hash` with the original's messages, and streaming file digests.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ConvergeError } from '../../errors.js';
import { prepareError } from '../command.js';
import type { FieldSpec, PrepareContext } from '../types.js';

export const HASH_TYPES = ['md5', 'sha1', 'sha256', 'sha512'] as const;
export type HashType = (typeof HASH_TYPES)[number];

/** Hex digest length of each hash type; a `hash` of another length is refused at prepare time. */
const HEX_LENGTH: Readonly<Record<HashType, number>> = { md5: 32, sha1: 40, sha256: 64, sha512: 128 };

export function isHashType(value: unknown): value is HashType {
  return typeof value === 'string' && (HASH_TYPES as readonly string[]).includes(value);
}

/** A validated checksum: both fields given, or neither. */
export interface Checksum {
  readonly type: HashType;
  /** Lowercase hex. */
  readonly hex: string;
}

/** The `hash_type` and `hash` fields; `subject` names what is hashed (`file`, `archive`). */
export function checksumFields(subject: string): FieldSpec[] {
  return [
    { name: 'hash_type', type: 'string', doc: 'The hash function of `hash`: md5, sha1, sha256 or sha512.' },
    { name: 'hash', type: 'string', nonempty: true, doc: `The expected checksum (hex) of the ${subject}; needs \`hash_type\`.` },
  ];
}

/**
 * Validates the `hash_type` / `hash` pair the way the original's preparers do (each needs the other,
 * the type must be known, the length must fit the type).
 */
export function checksumFromFields(hashType: unknown, hash: unknown, where: PrepareContext): Checksum | undefined {
  const fail = (field: string, message: string): ConvergeError => prepareError(where, field, message);
  const typeSet = hashType !== undefined && hashType !== null;
  const hashSet = hash !== undefined && hash !== null;
  if (typeSet && !hashSet) throw fail('hash', '"hash" required with use of "hash_type"');
  if (!typeSet && hashSet) throw fail('hash_type', '"hash_type" required with use of "hash"');
  if (!typeSet) return undefined;
  if (!isHashType(hashType)) throw fail('hash_type', `"hash_type" must be one of "${HASH_TYPES.join(',')}"`);
  const hex = String(hash).trim().toLowerCase();
  if (hex === '') throw fail('hash', '"hash" must contain a value');
  if (hex.length !== HEX_LENGTH[hashType]) throw fail('hash', `"hash" is invalid length for ${hashType}`);
  if (!/^[0-9a-f]+$/.test(hex)) throw fail('hash', '"hash" must be hexadecimal');
  return { type: hashType, hex };
}

export function newHash(type: HashType): Hash {
  return createHash(type);
}

/** Hex digest of a file's content, streamed so that large files do not sit in memory. */
export async function hashFile(path: string, type: HashType, signal?: AbortSignal): Promise<string> {
  const hash = createHash(type);
  const stream = createReadStream(path, signal ? { signal } : {});
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
