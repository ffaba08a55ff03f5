import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { randomBase62 } from '../ids';
import type { KeyMode } from './key-mode';

const LOOKUP_LENGTH = 12;
const SECRET_LENGTH = 32;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KEY_PATTERN = /^vk_(test|live)_([0-9A-Za-z]{44})$/;
/** Operator keys have a shape of their own: no tenant key ever parses as one, nor the other way round. */
const OPERATOR_KEY_PATTERN = /^vk_op_([0-9A-Za-z]{44})$/;

export interface ParsedKey {
  mode: KeyMode;
  /** The public prefix stored in clear to find the row; guessing it gains nothing. */
  lookup: string;
}

/** Secrets derived from the master key, one per purpose, so no two uses share a key. */
export class KeyMaterial {
  private readonly digestKey: Buffer;
  private readonly sealKey: Buffer;
  private readonly derivedKeysKey: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length < 32) throw new Error('master key must be at least 32 bytes');
    this.digestKey = Buffer.from(hkdfSync('sha256', masterKey, 'verigate', 'api-key-digest', 32));
    this.sealKey = Buffer.from(hkdfSync('sha256', masterKey, 'verigate', 'hmac-key-seal', 32));
    this.derivedKeysKey = Buffer.from(hkdfSync('sha256', masterKey, 'verigate', 'derived-api-keys', 32));
  }

  /** A new API key: `vk_<mode>_` + 44 base62 characters (12 of lookup, 32 of secret, ~262 bits). */
  generate(mode: KeyMode): { plaintext: string; lookup: string; digest: Buffer } {
    const lookup = randomBase62(LOOKUP_LENGTH);
    const plaintext = `vk_${mode}_${lookup}${randomBase62(SECRET_LENGTH)}`;
    return { plaintext, lookup, digest: this.digest(plaintext) };
  }

  /** A new operator key: `vk_op_` + 44 base62 characters, the same strength as a tenant key. */
  generateOperator(): { plaintext: string; lookup: string; digest: Buffer } {
    const lookup = randomBase62(LOOKUP_LENGTH);
    const plaintext = `vk_op_${lookup}${randomBase62(SECRET_LENGTH)}`;
    return { plaintext, lookup, digest: this.digest(plaintext) };
  }

  /** The lookup prefix of an operator key, or null when the text is not shaped like one. */
  parseOperator(plaintext: string): string | null {
    const match = OPERATOR_KEY_PATTERN.exec(plaintext);
    return match ? (match[1] as string).slice(0, LOOKUP_LENGTH) : null;
  }

  /**
   * The same key every time for one `purpose` and master key (the walk-through's sandbox key, so it survives
   * restarts): as strong as a generated one while the master key stays secret, and gone with it.
   */
  derive(mode: KeyMode, purpose: string): { plaintext: string; lookup: string; digest: Buffer } {
    const bytes = createHmac('sha256', this.derivedKeysKey).update(`${mode}:${purpose}:1`).digest();
    const more = createHmac('sha256', this.derivedKeysKey).update(`${mode}:${purpose}:2`).digest();
    const chars = [...Buffer.concat([bytes, more]).subarray(0, LOOKUP_LENGTH + SECRET_LENGTH)].map((b) => BASE62[b % 62]).join('');
    const plaintext = `vk_${mode}_${chars}`;
    return { plaintext, lookup: chars.slice(0, LOOKUP_LENGTH), digest: this.digest(plaintext) };
  }

  parse(plaintext: string): ParsedKey | null {
    const match = KEY_PATTERN.exec(plaintext);
    if (!match) return null;
    return { mode: match[1] as KeyMode, lookup: (match[2] as string).slice(0, LOOKUP_LENGTH) };
  }

  digest(plaintext: string): Buffer {
    return createHmac('sha256', this.digestKey).update(plaintext).digest();
  }

  /** Constant-time check of a presented key against a stored digest (both are 32 bytes). */
  matches(plaintext: string, storedDigest: Buffer): boolean {
    const presented = this.digest(plaintext);
    return presented.length === storedDigest.length && timingSafeEqual(presented, storedDigest);
  }

  /** A fresh per-key hmacKey for signing capture bundles (seed 000), as 64 hex characters. */
  newHmacKey(): string {
    return randomBytes(32).toString('hex');
  }

  seal(secret: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, iv);
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  unseal(sealed: Buffer): string {
    const decipher = createDecipheriv('aes-256-gcm', this.sealKey, sealed.subarray(0, 12));
    decipher.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
  }
}
