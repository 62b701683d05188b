/**
 * Test certificates made with openssl in the three steps the README documents (the certstrap layout
 * of the original's docs): a CA, a request for 127.0.0.1, and the CA signing it with an IP SAN.
 * Certificates with dates in the past (expired ones) are signed with `openssl ca`, the one openssl 3.0
 * command that takes explicit start and end dates.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface TestCerts {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** A validity period in openssl's `YYYYMMDDHHMMSSZ` form. */
export interface Dates {
  readonly start: string;
  readonly end: string;
}

/** Valid for January 2020 only: long expired. */
export const EXPIRED: Dates = { start: '20200101000000Z', end: '20200201000000Z' };

export interface CertOptions {
  /** The server certificate's subjectAltName. @default 'IP:127.0.0.1' */
  readonly san?: string;
  /** The server certificate's dates (a function is called just before signing); 30 days from now otherwise. */
  readonly serverDates?: Dates | (() => Dates);
  /** The CA's dates; self-signed for 30 days from now otherwise. */
  readonly caDates?: Dates;
}

function run(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

/** `openssl ca` with a throw-away database, for certificates with explicit dates. */
function signWithDates(out: string, csr: string, signer: { cert?: string; key: string }, dates: Dates, extFile: string, target: string): void {
  const db = path.join(out, `db-${path.basename(target)}`);
  fs.mkdirSync(db, { recursive: true });
  fs.writeFileSync(path.join(db, 'index.txt'), '');
  fs.writeFileSync(path.join(db, 'serial'), '1000\n');
  const config = path.join(db, 'ca.cnf');
  fs.writeFileSync(
    config,
    [
      '[ca]',
      'default_ca = test',
      '[test]',
      `database = ${path.join(db, 'index.txt')}`,
      `new_certs_dir = ${db}`,
      `serial = ${path.join(db, 'serial')}`,
      'default_md = sha256',
      'policy = anything',
      'unique_subject = no',
      '[anything]',
      'commonName = supplied',
      '',
    ].join('\n'),
  );
  const who = signer.cert === undefined ? ['-selfsign'] : ['-cert', signer.cert];
  run('ca', '-batch', '-notext', '-config', config, ...who, '-keyfile', signer.key, '-in', csr, '-out', target, '-startdate', dates.start, '-enddate', dates.end, '-extfile', extFile);
}

/** `options` may be a string for the SAN alone (tests pass a wrong one to check verification). */
export function makeCerts(dir: string, options: string | CertOptions = {}): TestCerts {
  const { san = 'IP:127.0.0.1', serverDates, caDates } = typeof options === 'string' ? { san: options } : options;
  const out = path.join(dir, 'out');
  fs.mkdirSync(out, { recursive: true });
  const file = (name: string): string => path.join(out, name);
  if (caDates === undefined) {
    run('req', '-x509', '-newkey', 'rsa:2048', '-sha256', '-days', '30', '-nodes', '-keyout', file('your-company.key'), '-out', file('your-company.crt'), '-subj', '/CN=your-company');
  } else {
    run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('your-company.key'), '-out', file('your-company.csr'), '-subj', '/CN=your-company');
    fs.writeFileSync(file('ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign,cRLSign\n');
    signWithDates(out, file('your-company.csr'), { key: file('your-company.key') }, caDates, file('ca.ext'), file('your-company.crt'));
  }
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('127.0.0.1.key'), '-out', file('127.0.0.1.csr'), '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(
    file('127.0.0.1.ext'),
    `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`,
  );
  if (serverDates === undefined) {
    run('x509', '-req', '-in', file('127.0.0.1.csr'), '-CA', file('your-company.crt'), '-CAkey', file('your-company.key'), '-CAcreateserial', '-out', file('127.0.0.1.crt'), '-days', '30', '-sha256', '-extfile', file('127.0.0.1.ext'));
  } else {
    const signer = { cert: file('your-company.crt'), key: file('your-company.key') };
    const dates = typeof serverDates === 'function' ? serverDates() : serverDates;
    signWithDates(out, file('127.0.0.1.csr'), signer, dates, file('127.0.0.1.ext'), file('127.0.0.1.crt'));
  }
  return { caFile: file('your-company.crt'), certFile: file('127.0.0.1.crt'), keyFile: file('127.0.0.1.key') };
}
