/**
 * Checking a webhook delivery from verigate, for the integrator's receiver (Node 20+ or any runtime with
 * WebCrypto): the `Verigate-Signature` header is `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`
 * (Stripe's scheme; two `v1` while the endpoint's secret is rotated). The same check as the server's
 * `src/webhooks/signature.ts`, whose signer the SDK's tests verify against.
 */

export type WebhookCheck =
  { ok: true; timestamp: number } | { ok: false; reason: 'malformed_header' | 'timestamp_outside_tolerance' | 'no_matching_signature' };

export interface VerifyWebhookOptions {
  /** How far the timestamp may be from `now`, in the past or the future, in seconds. Default 300. */
  toleranceSeconds?: number;
  /** The receiver's clock. Default the current time. */
  now?: Date;
}

const encoder = new TextEncoder();

const fromHex = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g) ?? [], (byte) => parseInt(byte, 16));

/** Equal length and content, in time that does not depend on where they differ. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

async function hmac(secret: string, timestamp: number, rawBody: Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const prefix = encoder.encode(`${timestamp}.`);
  const signed = new Uint8Array(prefix.length + rawBody.length);
  signed.set(prefix);
  signed.set(rawBody, prefix.length);
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, signed));
}

/**
 * Verifies a delivery: `rawBody` exactly as read from the wire (re-serialised JSON does not verify), the
 * `Verigate-Signature` header and the endpoint's secrets (both during a rotation). Refuses a timestamp more
 * than the tolerance away in either direction. Deliveries are at least once: dedupe on the event id.
 */
export async function verifyWebhookSignature(
  rawBody: string | Uint8Array,
  header: string | null | undefined,
  secrets: readonly string[],
  { toleranceSeconds = 300, now = new Date() }: VerifyWebhookOptions = {},
): Promise<WebhookCheck> {
  const parts = (header ?? '').split(',').map((p) => p.trim().split('='));
  const t = parts.find(([k]) => k === 't')?.[1];
  const signatures = parts
    .filter(([k, v]) => k === 'v1' && v !== undefined && /^[0-9a-f]{64}$/.test(v))
    .map(([, v]) => fromHex(v as string));
  if (!t || !/^\d+$/.test(t) || signatures.length === 0) return { ok: false, reason: 'malformed_header' };
  const timestamp = Number(t);
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) return { ok: false, reason: 'timestamp_outside_tolerance' };
  const body = typeof rawBody === 'string' ? encoder.encode(rawBody) : rawBody;
  for (const secret of secrets) {
    const expected = await hmac(secret, timestamp, body);
    if (signatures.some((s) => sameBytes(s, expected))) return { ok: true, timestamp };
  }
  return { ok: false, reason: 'no_matching_signature' };
}
