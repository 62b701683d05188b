/**
 * Test certificates made with openssl in the three steps the README documents (the certstrap layout
 * of the original's docs): a CA, a request for 127.0.0.1, and the CA signing it with an IP SAN.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface TestCerts {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** `san` is the server certificate's subjectAltName (tests pass a wrong one to check verification). */
export function makeCerts(dir: string, san = 'IP:127.0.0.1'): TestCerts {
  const out = path.join(dir, 'out');
  fs.mkdirSync(out, { recursive: true });
  const file = (name: string): string => path.join(out, name);
  const run = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'pipe' });
  };
  run('req', '-x509', '-newkey', 'rsa:2048', '-sha256', '-days', '30', '-nodes', '-keyout', file('your-company.key'), '-out', file('your-company.crt'), '-subj', '/CN=your-company');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('127.0.0.1.key'), '-out', file('127.0.0.1.csr'), '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(
    file('127.0.0.1.ext'),
    `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`,
  );
  run('x509', '-req', '-in', file('127.0.0.1.csr'), '-CA', file('your-company.crt'), '-CAkey', file('your-company.key'), '-CAcreateserial', '-out', file('127.0.0.1.crt'), '-days', '30', '-sha256', '-extfile', file('127.0.0.1.ext'));
  return { caFile: file('your-company.crt'), certFile: file('127.0.0.1.crt'), keyFile: file('127.0.0.1.key') };
}
