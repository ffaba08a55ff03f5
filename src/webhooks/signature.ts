import { createHmac, timingSafeEqual } from 'node:crypto';
import { randomBase62 } from '../ids';

/** The header every delivery carries: `t=<unix seconds>,v1=<hex>[,v1=<hex>]` (Stripe's scheme). */
export const SIGNATURE_HEADER = 'Verigate-Signature';

/** A new endpoint secret: `whsec_` + 32 base62 characters (~190 bits). Shown once; stored sealed. */
export const newWebhookSecret = (): string => `whsec_${randomBase62(32)}`;

const hmac = (secret: string, timestamp: number, body: string | Buffer) =>
  createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');

/**
 * The signature header of `body` sent at `at`: one `v1` per secret (the new one first, then the previous one
 * while a rotation's overlap lasts), each the hex HMAC-SHA256 of `"<t>.<body>"`.
 */
export function signatureHeader(body: string, secrets: readonly string[], at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return [`t=${t}`, ...secrets.map((s) => `v1=${hmac(s, t, body)}`)].join(',');
}

export type SignatureCheck =
  { ok: true; timestamp: number } | { ok: false; reason: 'malformed_header' | 'timestamp_outside_tolerance' | 'no_matching_signature' };

export interface VerifyOptions {
  /** How far the timestamp may be from `now`, in the past or the future, in seconds. Default 300. */
  toleranceSeconds?: number;
  /** The receiver's clock. Default the current time. */
  now?: Date;
}

/**
 * Checks a delivery as an integrator receives it: `rawBody` exactly as read from the wire (not re-serialised
 * JSON), the `Verigate-Signature` header, and the endpoint's secrets (two during a rotation). Rejects a
 * timestamp more than the tolerance away either way, then accepts when any `v1` matches any secret
 * (constant-time). Receivers should still dedupe on the event id: a delivery can arrive twice.
 */
export function verifySignature(
  rawBody: string | Buffer,
  header: string | undefined,
  secrets: readonly string[],
  { toleranceSeconds = 300, now = new Date() }: VerifyOptions = {},
): SignatureCheck {
  const parts = (header ?? '').split(',').map((p) => p.trim().split('='));
  const t = parts.find(([k]) => k === 't')?.[1];
  const signatures = parts.filter(([k, v]) => k === 'v1' && v && /^[0-9a-f]{64}$/.test(v)).map(([, v]) => Buffer.from(v as string, 'hex'));
  if (!t || !/^\d+$/.test(t) || signatures.length === 0) return { ok: false, reason: 'malformed_header' };
  const timestamp = Number(t);
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) return { ok: false, reason: 'timestamp_outside_tolerance' };
  for (const secret of secrets) {
    const expected = Buffer.from(hmac(secret, timestamp, rawBody), 'hex');
    if (signatures.some((s) => s.length === expected.length && timingSafeEqual(s, expected))) return { ok: true, timestamp };
  }
  return { ok: false, reason: 'no_matching_signature' };
}
