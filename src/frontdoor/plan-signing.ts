/**
 * The server's side of saved plans: its plan key, signing a finished plan, and checking a plan file
 * before an apply. The key is 32 random bytes generated on first use and kept in the server's state dir
 * (`<state-dir>/plan-key`, mode 0600), not the RPC token: `--local` runs get a fresh token each time but
 * must accept their own plans, and servers sharing one token must still refuse each other's plans.
 * The server's identity in a plan is a digest of the key, which says nothing about the key itself.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConvergeError, getErrorMessage } from '../errors.js';
import { formatGoDuration } from '../go/duration.js';
import { parsePlanFile, PLAN_FILE_VERSION, signedText, type PlanFile, type SavedPlan } from '../plan-file.js';

/** How old a plan may be when it is applied. @default one hour */
export const DEFAULT_PLAN_MAX_AGE_MS = 60 * 60 * 1000;
const KEY_FILE = 'plan-key';
const KEY_BYTES = 32;
const SIGNATURE_PREFIX = 'hmac-sha256:';

/** Where a server keeps its plan key unless told: `$XDG_STATE_HOME/converge`, else `~/.local/state/converge`. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_STATE_HOME'];
  return path.join(xdg !== undefined && xdg !== '' ? xdg : path.join(os.homedir(), '.local', 'state'), 'converge');
}

function keyError(message: string, cause: unknown): ConvergeError {
  return new ConvergeError('CNV_ERR_PLAN_KEY', `${message}: ${getErrorMessage(cause)}`, undefined, { cause });
}

/** Reads the key, or creates it once; two servers starting together agree on whichever was written first. */
function loadOrCreateKey(stateDir: string): Buffer {
  const file = path.join(stateDir, KEY_FILE);
  const read = (): Buffer => {
    const hex = fs.readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${file} does not hold a ${KEY_BYTES}-byte hex key`);
    return Buffer.from(hex, 'hex');
  };
  try {
    return read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw keyError(`cannot read the plan key ${file}`, error);
  }
  try {
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, randomBytes(KEY_BYTES).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw keyError(`cannot create the plan key ${file}`, error);
  }
  try {
    return read();
  } catch (error) {
    throw keyError(`cannot read the plan key ${file}`, error);
  }
}

export interface PlanSignerOptions {
  /** Directory holding the plan key. @default defaultStateDir() */
  readonly stateDir?: string;
  /** Older plans are refused. @default DEFAULT_PLAN_MAX_AGE_MS */
  readonly maxAgeMs?: number;
  /** The clock, for tests. @default Date.now */
  readonly now?: () => number;
}

export class PlanSigner {
  readonly #stateDir: string;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #key: Buffer | undefined;

  constructor(options: PlanSignerOptions = {}) {
    this.#stateDir = options.stateDir ?? defaultStateDir();
    this.#maxAgeMs = options.maxAgeMs ?? DEFAULT_PLAN_MAX_AGE_MS;
    this.#now = options.now ?? Date.now;
    if (!Number.isFinite(this.#maxAgeMs) || this.#maxAgeMs <= 0) {
      throw new TypeError(`Expected \`maxAgeMs\` to be a positive number, got \`${this.#maxAgeMs}\``);
    }
  }

  /** Loaded on first use, so a server that never sees a saved plan never touches its state dir. */
  #keyBytes(): Buffer {
    this.#key ??= loadOrCreateKey(this.#stateDir);
    return this.#key;
  }

  get serverId(): string {
    return createHash('sha256').update('converge plan server id\0').update(this.#keyBytes()).digest('hex').slice(0, 32);
  }

  #mac(plan: SavedPlan): Buffer {
    return createHmac('sha256', this.#keyBytes()).update(signedText(plan)).digest();
  }

  /** Signs a plan made now by this server. */
  sign(plan: Omit<SavedPlan, 'server' | 'createdAt'>): PlanFile {
    const full: SavedPlan = { server: this.serverId, createdAt: new Date(this.#now()).toISOString(), ...plan };
    return { 'converge-plan': PLAN_FILE_VERSION, signature: SIGNATURE_PREFIX + this.#mac(full).toString('hex'), plan: full };
  }

  /**
   * Checks a plan file and returns its plan, or throws naming the first reason to refuse it: not a plan
   * file, another server's, edited since it was signed, or too old. The server is checked first so that
   * another server's file is named as such rather than as edited (its signature cannot match either).
   */
  verify(source: string | unknown): SavedPlan {
    const file = parsePlanFile(source);
    const { plan } = file;
    if (plan.server !== this.serverId) {
      throw new ConvergeError('CNV_ERR_PLAN_WRONG_SERVER', `the plan was made by another server (${plan.server}); this server is ${this.serverId}: plan again against this server`, {
        planServer: plan.server,
      });
    }
    const given = file.signature.startsWith(SIGNATURE_PREFIX) ? Buffer.from(file.signature.slice(SIGNATURE_PREFIX.length), 'hex') : Buffer.alloc(0);
    const expected = this.#mac(plan);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ConvergeError('CNV_ERR_PLAN_SIGNATURE', 'the plan file was changed after the server signed it (signature mismatch): plan again');
    }
    const created = Date.parse(plan.createdAt);
    const ageMs = this.#now() - created;
    if (!Number.isFinite(created) || ageMs > this.#maxAgeMs) {
      throw new ConvergeError('CNV_ERR_PLAN_EXPIRED', `the plan is ${formatGoDuration(Math.round(ageMs) * 1e6)} old, past this server's --plan-max-age of ${formatGoDuration(this.#maxAgeMs * 1e6)}: plan again`, {
        createdAt: plan.createdAt,
        maxAgeMs: this.#maxAgeMs,
      });
    }
    return plan;
  }
}
