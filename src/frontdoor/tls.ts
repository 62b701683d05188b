/**
 * TLS for the server (`--use-ssl --cert-file --key-file [--ca-file]`) and for clients (`--ca-file`).
 * TLS 1.2 is the floor, as in the original.
 */
import { readFileSync } from 'node:fs';
import type { SecureContextOptions } from 'node:tls';
import { ConvergeError } from '../errors.js';

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  /** CA bundle sent with the chain (and trusted for the server's own loopback calls). */
  readonly caFile?: string;
}

export const MIN_TLS_VERSION = 'TLSv1.2';

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ConvergeError('CNV_ERR_TLS_CONFIG', `cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

export interface LoadedTls {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca?: Buffer;
}

/** Reads and sanity-checks the PEM files, so that a wrong path fails at start-up, naming the file. */
export function loadServerTls(files: TlsFiles): LoadedTls {
  const cert = readPem(files.certFile, '--cert-file');
  const key = readPem(files.keyFile, '--key-file');
  if (!cert.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConvergeError('CNV_ERR_TLS_CONFIG', `--cert-file ${files.certFile} holds no PEM certificate`);
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key.toString('latin1'))) {
    throw new ConvergeError('CNV_ERR_TLS_CONFIG', `--key-file ${files.keyFile} holds no PEM private key`);
  }
  if (files.caFile === undefined) return { cert, key };
  return { cert, key, ca: readPem(files.caFile, '--ca-file') };
}

/** Options for tls.createServer / createSecureContext. */
export function serverSecureOptions(loaded: LoadedTls): SecureContextOptions {
  return { ...loaded, minVersion: MIN_TLS_VERSION };
}

/** Reads a client's `--ca-file`. */
export function loadClientCa(caFile: string): Buffer {
  return readPem(caFile, '--ca-file');
}
