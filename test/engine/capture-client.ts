import { unsignedBundle } from '../../sdk/src/capture';
import { bundleSignature } from '../../src/engine/bundle-signature';
import type { Rgb } from '../../src/engine/flash-sequence';
import { hmacKeyOf } from '../../src/tenancy/keys-repo';
import type { TestApp } from '../helpers/test-app';

export interface Challenge {
  id: string;
  customerId: string;
  kind: 'selfie' | 'ktp';
  nonce: string;
  sequence: Rgb[];
  version: 1 | 2;
  schedule: Array<{ startMs: number; endMs: number }> | null;
  expiresAt: string;
}

export interface EngineTenant {
  orgId: string;
  key: string;
  keyId: string;
  hmacKey: string;
  customerId: string;
}

/** A new org whose key may capture and view captures, its hmacKey, and one customer. */
export async function engineTenant(app: TestApp): Promise<EngineTenant> {
  const t = await app.tenant(['captures:write', 'captures:view', 'customers:write']);
  const hmacKey = (await hmacKeyOf(app.deps.db, app.deps.keys, t.orgId, t.keyId)) as string;
  const res = await app.request('POST', '/v1/customers', { key: t.key, body: { externalRef: 'person-1' } });
  const customer = (await res.json()) as { id: string };
  return { ...t, hmacKey, customerId: customer.id };
}

export async function newChallenge(app: TestApp, t: EngineTenant, kind: 'selfie' | 'ktp', version?: 1 | 2): Promise<Challenge> {
  const res = await app.request('POST', '/v1/flash-challenges', {
    key: t.key,
    body: { customerId: t.customerId, kind, ...(version && { version }) },
  });
  if (res.status !== 201) throw new Error(`challenge: ${res.status} ${await res.text()}`);
  return (await res.json()) as Challenge;
}

/**
 * Inside the challenge's window (a bundle stamped outside it is refused), and different for successive
 * bundles (same signature + timestamp is a replay): a second before expiry, plus a counter in ms.
 */
let counter = 0;
export const nextTimestamp = (challenge: Pick<Challenge, 'expiresAt'>): Date =>
  new Date(Date.parse(challenge.expiresAt) - 1000 + (counter++ % 1000));

export function signedBundle(
  t: EngineTenant,
  challenge: Challenge,
  frames: ReadonlyArray<Uint8Array | string>,
  ktp?: { nik: string; birthDate: string; sex: 'male' | 'female' },
  frameTimes?: number[],
): Record<string, unknown> & { signature: string } {
  // The SDK's bundle, signed here synchronously with the server's own signer (the SDK signs with WebCrypto).
  const unsigned = unsignedBundle({ challenge, frames, timestamp: nextTimestamp(challenge), ktp, ...(frameTimes && { frameTimes }) });
  return { ...unsigned, signature: bundleSignature(unsigned, t.hmacKey) };
}

export const submit = (app: TestApp, t: EngineTenant, bundle: unknown) => app.request('POST', '/v1/captures', { key: t.key, body: bundle });

export interface ErrorJson {
  error: { code: string; message: string; status: number; param: string | null; [k: string]: unknown };
}
