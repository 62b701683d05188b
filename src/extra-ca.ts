/**
 * NODE_EXTRA_CA_CERTS, honoured when the first TLS context is made instead of at start-up. Node 20
 * loads its bundled root store and parses the extra file before running any script whenever the
 * variable is set: 40–70 ms of every command on a machine that sets it, and most commands never open
 * a TLS connection. So bin/converge starts Node with the variable moved to DEFERRED_VARIABLE, the
 * main thread puts it back for child processes (a task sees the environment it was started with), and
 * every TLS context this process makes without a `ca` of its own gets the bundled roots plus the
 * extra certificates, which is what Node's default store would have held.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';

// node:tls loads only when the variable is set: it costs about 10 ms, and `converge version` needs none of it.
const loadTls = (): typeof import('node:tls') => createRequire(process.execPath)('node:tls') as typeof import('node:tls');

export const DEFERRED_VARIABLE = 'CONVERGE_DEFERRED_EXTRA_CA_CERTS';

/**
 * Options that change what createSecureContext builds. A call with none of them set builds the same
 * context every time, so one is made and shared: parsing the 140-odd roots takes about 50 ms here.
 */
const CONTEXT_KEYS = [
  'ca', 'cert', 'key', 'pfx', 'passphrase', 'ciphers', 'ecdhCurve', 'honorCipherOrder', 'secureProtocol',
  'minVersion', 'maxVersion', 'crl', 'dhparam', 'sigalgs', 'privateKeyEngine', 'privateKeyIdentifier',
  'clientCertEngine', 'secureOptions', 'sessionIdContext', 'ticketKeys', 'sessionTimeout',
] as const;

let installedFor: string | undefined;

/**
 * Main thread, first thing: takes the deferred variable out of the environment, restores
 * NODE_EXTRA_CA_CERTS for children, and installs the extra certificates for this thread. Returns the
 * file, which worker threads are given to install for themselves (a thread has its own `tls`).
 */
export function restoreDeferredExtraCa(): string | undefined {
  const file = process.env[DEFERRED_VARIABLE];
  if (file === undefined) return installedFor;
  delete process.env[DEFERRED_VARIABLE];
  process.env['NODE_EXTRA_CA_CERTS'] ??= file;
  // Node ignores an empty value; so does this.
  if (file === '') return undefined;
  installExtraCa(file);
  return file;
}

/** Makes TLS contexts without a `ca` trust the bundled roots plus the certificates in `file`. */
export function installExtraCa(file: string): void {
  if (installedFor !== undefined) return;
  installedFor = file;
  const tls = loadTls();
  const original = tls.createSecureContext;
  let roots: string[] | null | undefined;
  let shared: import('node:tls').SecureContext | undefined;
  const trusted = (): string[] | null => {
    if (roots !== undefined) return roots;
    try {
      roots = [...tls.rootCertificates, fs.readFileSync(file, 'utf8')];
    } catch (error) {
      // Node's own words for a file it cannot load; the bundled roots stay in use, as they would.
      process.emitWarning(`Ignoring extra certs from \`${file}\`, load failed: ${(error as Error).message}`);
      roots = null;
    }
    return roots;
  };
  tls.createSecureContext = function createSecureContextWithExtraCa(options?: import('node:tls').SecureContextOptions): import('node:tls').SecureContext {
    const ca = trusted();
    if (ca === null) return original(options);
    const given = options as Record<string, unknown> | undefined;
    const plain = CONTEXT_KEYS.every((key) => given?.[key] === undefined);
    if (plain) return (shared ??= original({ ca }));
    if (given?.['ca'] !== undefined) return original(options);
    return original({ ...options, ca });
  };
}
