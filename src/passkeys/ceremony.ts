import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { requireCustomer } from '../customers/require-customer';
import type { Customer } from '../customers/customers-repo';
import type { AppDeps, Caller } from '../deps';
import { AppError } from '../errors/app-error';
import type { Queryable } from '../store/db';
import { CHALLENGE_BYTES, CHALLENGE_TTL_MS, type PasskeysConfig } from './passkeys-config';
import { consumeChallenge, deleteStaleChallenges, insertChallenge, type Ceremony } from './passkeys-repo';

// What the registration and authentication ceremonies share: whose ceremony it is, its single-use
// challenge, the customer's user handle, and how a failed verification is reported.

/** Expired challenges are kept this long, then removed the next time the customer starts a ceremony. */
const STALE_CHALLENGE_MS = 24 * 3_600_000;

/** A ceremony in progress: the relying party, the caller, and the org's customer it is for. */
export interface CeremonyContext {
  deps: AppDeps;
  rp: PasskeysConfig;
  caller: Caller;
  customer: Customer;
}

/**
 * The context of a ceremony for `customerId`. Another org's customer, or no such customer, is a 404
 * naming `id`, the customer's place in every passkey path.
 */
export async function ceremonyFor(
  db: Queryable,
  deps: AppDeps,
  rp: PasskeysConfig,
  caller: Caller,
  customerId: string,
): Promise<CeremonyContext> {
  return { deps, rp, caller, customer: await requireCustomer(db, caller.orgId, customerId, 'id') };
}

/** The WebAuthn user handle: the customer id's bytes. Stable per customer, and no personal data. */
export const userHandleOf = (customerId: string) => new Uint8Array(Buffer.from(customerId, 'utf8'));

/** A fresh challenge: 32 random bytes, stored for one use within the TTL. Returns it with its expiry. */
export async function issueChallenge(
  tx: Queryable,
  ctx: CeremonyContext,
  ceremony: Ceremony,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; expiresAt: Date }> {
  const now = ctx.deps.now();
  await deleteStaleChallenges(tx, ctx.caller.orgId, ctx.customer.id, new Date(now.getTime() - STALE_CHALLENGE_MS));
  const bytes = new Uint8Array(randomBytes(CHALLENGE_BYTES));
  const expiresAt = new Date(now.getTime() + CHALLENGE_TTL_MS);
  await insertChallenge(tx, {
    orgId: ctx.caller.orgId,
    customerId: ctx.customer.id,
    ceremony,
    challenge: Buffer.from(bytes).toString('base64url'),
    createdAt: now,
    expiresAt,
  });
  return { bytes, expiresAt };
}

const ClientData = z.object({ challenge: z.string().min(1).max(1024) });

/** The challenge the authenticator signed over, read from clientDataJSON (verified in full later). */
function challengeOf(clientDataJSON: string): string {
  try {
    return ClientData.parse(JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'))).challenge;
  } catch {
    throw new AppError('invalid_request', {
      params: { detail: 'response.response.clientDataJSON: not base64url JSON with a challenge' },
      param: 'response.response.clientDataJSON',
    });
  }
}

/**
 * Spends the challenge the response answers, before anything else is checked: whatever happens next, it
 * cannot be used again. Expired (unused, past its 5 minutes on the server's clock): 401
 * `webauthn_challenge_expired`. Never issued here, issued for another customer or ceremony, or already
 * used: 401 `webauthn_challenge_invalid`, one answer for all three so nothing can be learnt by probing.
 */
export async function spendChallenge(ctx: CeremonyContext, ceremony: Ceremony, clientDataJSON: string): Promise<string> {
  const challenge = challengeOf(clientDataJSON);
  const outcome = await consumeChallenge(
    ctx.deps.db,
    { orgId: ctx.caller.orgId, customerId: ctx.customer.id, ceremony },
    challenge,
    ctx.deps.now(),
  );
  if (outcome === 'expired') throw new AppError('webauthn_challenge_expired');
  if (outcome === 'unknown_or_used') throw new AppError('webauthn_challenge_invalid');
  return challenge;
}

// The library's messages name what failed (origin, RP ID hash, signature, flags); they carry no key material.
export const verificationFailed = (reason: string, cause?: unknown) =>
  new AppError('passkey_verification_failed', { params: { reason }, cause });
export const reasonOf = (err: unknown) => (err instanceof Error ? err.message : 'invalid response').slice(0, 300);
