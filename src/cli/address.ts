/** `host:port` flag values, in the original's forms: `:4774` (any host), `127.0.0.1:4774`, `[::1]:4774`. */
import { ConvergeError } from '../errors.js';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Parses `text`; an empty host becomes `emptyHost`. Throws CNV_ERR_CLI_USAGE naming the flag. */
export function parseHostPort(text: string, flag: string, emptyHost: string): HostPort {
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port > 65535) {
    throw new ConvergeError('CNV_ERR_CLI_USAGE', `${flag} must look like host:port (or :port), got "${text}"`);
  }
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? emptyHost : host, port };
}

/** Formats for display and for gRPC targets (IPv6 in brackets). */
export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
