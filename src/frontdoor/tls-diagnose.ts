/**
 * Why a client could not reach a server, when TLS is the reason. grpc-js reports every failed handshake
 * as UNAVAILABLE with OpenSSL's words ("self-signed certificate in certificate chain"), or, for an
 * expired certificate or a plaintext client at a TLS port, only as a dropped connection. After such a
 * failure the client makes one probe connection of its own, with the same trust settings but without
 * rejecting, and reads what the server presents: expired, signed by another CA, made out for another
 * name, or the other protocol. Only run after a call failed, so it costs nothing on the good path.
 */
import { isIP } from 'node:net';
import tls from 'node:tls';
import { ConvergeError } from '../errors.js';
import { certificateDate, MIN_TLS_VERSION } from './tls.js';

export interface ProbeOptions {
  readonly host: string;
  readonly port: number;
  readonly useTls: boolean;
  /** The CA the client trusts (`--ca-file`), or undefined for the system roots. */
  readonly ca?: Buffer;
  readonly caFile?: string;
}

/** Time the probe may take; a server that is merely slow is not diagnosed. */
const PROBE_TIMEOUT_MS = 3000;

/** OpenSSL verification results that mean "not signed by a CA you trust". */
const UNTRUSTED_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

type Outcome =
  | { readonly kind: 'tls'; readonly socket: tls.TLSSocket }
  | { readonly kind: 'error'; readonly code: string; readonly message: string }
  | { readonly kind: 'timeout' };

function probe(options: ProbeOptions): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: options.host,
      port: options.port,
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      ...(isIP(options.host) === 0 ? { servername: options.host } : {}),
      rejectUnauthorized: false,
      ALPNProtocols: ['h2'],
      minVersion: MIN_TLS_VERSION,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ kind: 'timeout' });
    }, PROBE_TIMEOUT_MS);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      resolve({ kind: 'tls', socket });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ kind: 'error', code: error.code ?? '', message: error.message });
    });
  });
}

function subjectOf(cert: tls.PeerCertificate): string {
  return Object.entries(cert.subject ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
}

function verifyCode(socket: tls.TLSSocket): string {
  const error = socket.authorizationError as unknown;
  if (typeof error === 'string') return error;
  return String((error as NodeJS.ErrnoException | undefined)?.code ?? (error as Error | undefined)?.message ?? '');
}

/** What the server's certificate says about the failure, or undefined when it looks fine. */
function explainCertificate(socket: tls.TLSSocket, options: ProbeOptions, address: string): ConvergeError | undefined {
  const cert = socket.getPeerCertificate();
  const subject = subjectOf(cert);
  const trust = options.caFile === undefined ? 'any CA this machine trusts (pass --ca-file with the CA that signed it)' : `the CA in --ca-file ${options.caFile}`;
  const code = socket.authorized ? '' : verifyCode(socket);
  // Node checks the name itself (and reports it this way) when the chain verified.
  if (code !== '' && code !== 'ERR_TLS_CERT_ALTNAME_INVALID') {
    if (code === 'CERT_HAS_EXPIRED') {
      return new ConvergeError(
        'CNV_ERR_TLS_SERVER_EXPIRED',
        `the server at ${address} presents a certificate (${subject}) that expired on ${certificateDate(cert.valid_to)}; renew it on the server`,
        { address, validTo: certificateDate(cert.valid_to) },
      );
    }
    if (code === 'CERT_NOT_YET_VALID') {
      return new ConvergeError(
        'CNV_ERR_TLS_SERVER_EXPIRED',
        `the server at ${address} presents a certificate (${subject}) that is not valid before ${certificateDate(cert.valid_from)} (check the clocks)`,
        { address, validFrom: certificateDate(cert.valid_from) },
      );
    }
    if (UNTRUSTED_CODES.has(code)) {
      const issuer = Object.entries(cert.issuer ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(', ');
      return new ConvergeError(
        'CNV_ERR_TLS_UNTRUSTED',
        `the server at ${address} presents a certificate (${subject}, issued by ${issuer}) that is not signed by ${trust}`,
        { address, verify: code },
      );
    }
    return new ConvergeError('CNV_ERR_TLS_UNTRUSTED', `the server at ${address} presents a certificate (${subject}) that does not verify: ${code}`, {
      address,
      verify: code,
    });
  }
  if (code !== '' || tls.checkServerIdentity(options.host, cert) !== undefined) {
    return new ConvergeError(
      'CNV_ERR_TLS_UNTRUSTED',
      `the server at ${address} presents a certificate for ${cert.subjectaltname ?? subject}, not for ${options.host}`,
      { address },
    );
  }
  return undefined;
}

/**
 * The TLS reason a connection to `address` failed, or undefined when TLS is not the reason (connection
 * refused, a timeout, or a handshake that works).
 */
export async function diagnoseTls(address: string, options: ProbeOptions): Promise<ConvergeError | undefined> {
  const outcome = await probe(options);
  if (outcome.kind === 'timeout') return undefined;
  if (outcome.kind === 'tls') {
    try {
      if (!options.useTls) {
        return new ConvergeError(
          'CNV_ERR_TLS_PROTOCOL_MISMATCH',
          `the server at ${address} speaks TLS and this client does not: add --use-ssl (and --ca-file with the CA that signed its certificate)`,
          { address },
        );
      }
      return explainCertificate(outcome.socket, options, address);
    } finally {
      outcome.socket.destroy();
    }
  }
  // The server answered the ClientHello with something that is not TLS: a plaintext server.
  if (options.useTls && (outcome.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test(outcome.message))) {
    return new ConvergeError(
      'CNV_ERR_TLS_PROTOCOL_MISMATCH',
      `the server at ${address} does not speak TLS: drop --use-ssl and --ca-file, or start the server with --use-ssl`,
      { address },
    );
  }
  return undefined;
}
