/**
 * TLS for the server (`--use-ssl --cert-file --key-file [--ca-file]`) and for clients (`--ca-file`).
 * TLS 1.2 is the floor, as in the original. Every file is checked when it is read, at start-up or
 * when a client is made, so that a wrong file fails there, naming the flag, the file and the reason,
 * rather than as a bare OpenSSL code at the first handshake or, worse, as a server that starts and
 * that no client can talk to (an expired certificate).
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
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

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

function readPem(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code;
    throw new ConvergeError('CNV_ERR_TLS_CONFIG', `${flag} ${file}: cannot read it (${why})`, { flag, file });
  }
}

/** A certificate date (`Feb  1 00:00:00 2020 GMT`) as an ISO timestamp without milliseconds. */
export function certificateDate(text: string): string {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Throws when `cert` is outside its validity period at `now`. */
function checkDates(cert: X509Certificate, flag: string, file: string, what: string, now: Date): void {
  const subject = cert.subject.replaceAll('\n', ', ');
  if (new Date(cert.validTo).getTime() < now.getTime()) {
    throw new ConvergeError(
      'CNV_ERR_TLS_EXPIRED',
      `${flag} ${file}: the ${what} (${subject}) expired on ${certificateDate(cert.validTo)}; renew it`,
      { flag, file, validTo: certificateDate(cert.validTo) },
    );
  }
  if (new Date(cert.validFrom).getTime() > now.getTime()) {
    throw new ConvergeError(
      'CNV_ERR_TLS_NOT_YET_VALID',
      `${flag} ${file}: the ${what} (${subject}) is not valid before ${certificateDate(cert.validFrom)} (check this machine's clock)`,
      { flag, file, validFrom: certificateDate(cert.validFrom) },
    );
  }
}

/** Every certificate in a PEM file, each parsed and within its dates; at least one. */
export function parseCertificates(pem: Buffer, flag: string, file: string, what: string, now = new Date()): X509Certificate[] {
  const blocks = pem.toString('latin1').match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    throw new ConvergeError('CNV_ERR_TLS_NOT_PEM', `${flag} ${file}: not PEM: no "-----BEGIN CERTIFICATE-----" block in it`, { flag, file });
  }
  return blocks.map((block, index) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(block);
    } catch (error) {
      const why = (error as Error).message.replace(/^error:[0-9A-F]+:/, '');
      throw new ConvergeError('CNV_ERR_TLS_NOT_PEM', `${flag} ${file}: certificate ${index + 1} is not a valid PEM certificate (${why})`, { flag, file });
    }
    checkDates(cert, flag, file, what, now);
    return cert;
  });
}

function parsePrivateKey(pem: Buffer, file: string): KeyObject {
  if (!PEM_PRIVATE_KEY.test(pem.toString('latin1'))) {
    throw new ConvergeError('CNV_ERR_TLS_NOT_PEM', `--key-file ${file}: not PEM: no "-----BEGIN … PRIVATE KEY-----" block in it`, { flag: '--key-file', file });
  }
  try {
    return createPrivateKey(pem);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ERR_MISSING_PASSPHRASE' ? 'it is encrypted; converge needs an unencrypted key' : (error as Error).message.replace(/^error:[0-9A-F]+:/, '');
    throw new ConvergeError('CNV_ERR_TLS_NOT_PEM', `--key-file ${file}: not a usable PEM private key (${why})`, { flag: '--key-file', file });
  }
}

export interface LoadedTls {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca?: Buffer;
}

/**
 * Reads and checks the server's PEM files: each is PEM, every certificate is within its dates, and the
 * key belongs to the first certificate of the chain (the one the server presents).
 */
export function loadServerTls(files: TlsFiles, now = new Date()): LoadedTls {
  const cert = readPem(files.certFile, '--cert-file');
  const key = readPem(files.keyFile, '--key-file');
  const chain = parseCertificates(cert, '--cert-file', files.certFile, 'certificate', now);
  const keyObject = parsePrivateKey(key, files.keyFile);
  if (!chain[0]!.checkPrivateKey(keyObject)) {
    throw new ConvergeError(
      'CNV_ERR_TLS_KEY_MISMATCH',
      `--key-file ${files.keyFile} does not match the certificate in --cert-file ${files.certFile} (${chain[0]!.subject.replaceAll('\n', ', ')})`,
      { certFile: files.certFile, keyFile: files.keyFile },
    );
  }
  if (files.caFile === undefined) return { cert, key };
  const ca = readPem(files.caFile, '--ca-file');
  parseCertificates(ca, '--ca-file', files.caFile, 'CA certificate', now);
  return { cert, key, ca };
}

/** Options for tls.createServer / createSecureContext. */
export function serverSecureOptions(loaded: LoadedTls): SecureContextOptions {
  return { ...loaded, minVersion: MIN_TLS_VERSION };
}

/** Reads and checks a client's `--ca-file` (PEM, within its dates). */
export function loadClientCa(caFile: string, now = new Date()): Buffer {
  const ca = readPem(caFile, '--ca-file');
  parseCertificates(ca, '--ca-file', caFile, 'CA certificate', now);
  return ca;
}
