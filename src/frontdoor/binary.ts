/**
 * Self-serve: the converge executable itself, so a fresh machine (no Node.js, no npm) can bootstrap
 * from a server. The file is streamed, never buffered; a gzip copy is made once and cached; its
 * sha256 is served beside it; /bootstrap.sh downloads, verifies and installs it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import sea from 'node:sea';
import { createGzip } from 'node:zlib';
import { ConvergeError } from '../errors.js';

/**
 * The executable `--self-serve` serves: the running one inside the self-contained binary; otherwise
 * the one `npm run build:binary` wrote (build/converge), since process.execPath would be node itself.
 */
export function defaultBinaryPath(): string {
  if (sea.isSea()) return process.execPath;
  const here = path.dirname(fileURLToPath(import.meta.url));
  // Compiled code lives in build/src/frontdoor/; the binary is build/converge.
  return path.resolve(here, '../../converge');
}

export class BinaryServer {
  readonly file: string;
  readonly #cacheDir: string;
  #sha256: Promise<string> | undefined;
  #gzip: Promise<string> | undefined;

  /** `file` is the executable to serve; gzip copies go to `cacheDir`. */
  constructor(file: string, cacheDir: string = path.join(os.tmpdir(), 'converge-cache')) {
    this.file = path.resolve(file);
    this.#cacheDir = cacheDir;
  }

  /** Fails early, at server start, when the file is missing. */
  async check(): Promise<number> {
    try {
      const stats = await stat(this.file);
      if (!stats.isFile()) throw new Error('not a file');
      return stats.size;
    } catch {
      throw new ConvergeError('CNV_ERR_BINARY_MISSING', `self-serve: no executable at ${this.file} (run npm run build:binary)`);
    }
  }

  /** Hex sha256 of the executable (computed once). */
  sha256(): Promise<string> {
    this.#sha256 ??= (async () => {
      const hash = createHash('sha256');
      await pipeline(createReadStream(this.file), hash);
      return hash.digest('hex');
    })();
    return this.#sha256;
  }

  /** Path of a gzip copy, made on first use. Concurrent callers share one compression. */
  gzipFile(): Promise<string> {
    this.#gzip ??= (async () => {
      const digest = await this.sha256();
      await mkdir(this.#cacheDir, { recursive: true });
      const target = path.join(this.#cacheDir, `converge-${digest}.gz`);
      try {
        await stat(target);
        return target;
      } catch {
        // Not cached yet.
      }
      // Unique per attempt: two servers in one process (tests) or two processes may compress at once.
      const partial = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.partial`;
      await pipeline(createReadStream(this.file), createGzip({ level: 6 }), createWriteStream(partial));
      await rename(partial, target);
      return target;
    })();
    return this.#gzip;
  }
}

export function binaryDisabled(): ConvergeError {
  return new ConvergeError('CNV_ERR_BINARY_DISABLED', 'binary download not enabled (start the server with --self-serve)');
}

/**
 * The install script. It mints its own JWT with openssl when CONVERGE_RPC_TOKEN is set (the token
 * never leaves the machine; only the signed, 30-second JWT does).
 */
export function bootstrapScript(origin: string): string {
  return `#!/bin/sh
# Installs converge from ${origin}.
#   curl -fsS ${origin}/bootstrap.sh | CONVERGE_RPC_TOKEN=<token> sh
# Environment: CONVERGE_SERVER (default ${origin}), CONVERGE_RPC_TOKEN (omit for --no-token servers),
# CONVERGE_INSTALL_DIR (default /usr/local/bin), CONVERGE_CA_FILE (a CA for https servers).
set -eu
server="\${CONVERGE_SERVER:-${origin}}"
dest="\${CONVERGE_INSTALL_DIR:-/usr/local/bin}"
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
auth() {
  if [ -n "\${CONVERGE_RPC_TOKEN:-}" ]; then
    now=$(date +%s)
    h=$(printf '{"alg":"HS512","typ":"JWT"}' | b64url)
    p=$(printf '{"iat":%s,"exp":%s}' "$now" "$((now + 30))" | b64url)
    s=$(printf '%s.%s' "$h" "$p" | openssl dgst -sha512 -hmac "$CONVERGE_RPC_TOKEN" -binary | b64url)
    printf 'Authorization: Bearer %s.%s.%s' "$h" "$p" "$s"
  else
    printf 'X-Converge-Auth: none'
  fi
}
ca=""
if [ -n "\${CONVERGE_CA_FILE:-}" ]; then ca="--cacert $CONVERGE_CA_FILE"; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086
curl -fsS $ca --compressed -H "$(auth)" -o "$tmp/converge" "$server/api/v1/resources/binary"
# shellcheck disable=SC2086
expected=$(curl -fsS $ca -H "$(auth)" "$server/api/v1/resources/binary.sha256" | cut -d' ' -f1)
actual=$(sha256sum "$tmp/converge" | cut -d' ' -f1)
if [ "$expected" != "$actual" ]; then
  echo "bootstrap: checksum mismatch (expected $expected, got $actual)" >&2
  exit 1
fi
chmod 0755 "$tmp/converge"
mkdir -p "$dest"
mv "$tmp/converge" "$dest/converge"
echo "installed $dest/converge ($actual)"
`;
}
