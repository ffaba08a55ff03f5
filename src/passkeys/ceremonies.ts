import { randomBytes } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { z } from 'zod';
import type { Customer } from '../customers/customers-repo';
import { AppError } from '../errors/app-error';
import type { AppDeps, Caller } from '../http/context';
import type { Reply } from '../http/route';
import { effectiveTier, tierRank } from '../kyc/kyc-status';
import type { Queryable } from '../store/db';
import { CHALLENGE_BYTES, CHALLENGE_TTL_MS, type PasskeysConfig } from './passkeys-config';
import {
  consumeChallenge,
  deleteStaleChallenges,
  findPasskeyByCredentialId,
  insertChallenge,
  insertPasskey,
  listPasskeys,
  markCloneDetected,
  recordAssertion,
  type Ceremony,
  type Passkey,
} from './passkeys-repo';

/** EdDSA, ES256, RS256 (COSE ids): offered at registration and required of the attested key. */
export const SUPPORTED_ALGORITHMS = [-8, -7, -257];

/** Expired challenges are kept this long, then removed the next time the customer starts a ceremony. */
const STALE_CHALLENGE_MS = 24 * 3_600_000;

// Base64url without padding, as WebAuthn's JSON serialisation writes it.
const b64url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url without padding');
// A credential id is at most 1023 bytes (WebAuthn L3), 1364 characters of base64url.
const CredentialId = b64url(1364);
const Transport = z.string().regex(/^[a-z-]{1,32}$/, 'must be an authenticator transport such as internal, hybrid or usb');
const ClientExtensionResults = z.record(z.string(), z.unknown());

/** `PublicKeyCredential.toJSON()` of `navigator.credentials.create()`, as the browser sends it. */
export const RegistrationResponse = z
  .object({
    id: CredentialId,
    rawId: CredentialId,
    type: z.literal('public-key'),
    response: z
      .object({
        clientDataJSON: b64url(8192),
        attestationObject: b64url(65536),
        authenticatorData: b64url(65536).optional(),
        transports: z.array(Transport).max(8).optional(),
        publicKeyAlgorithm: z.number().int().optional(),
        publicKey: b64url(8192).optional(),
      })
      .strict(),
    authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
    clientExtensionResults: ClientExtensionResults,
  })
  .strict();

/** `PublicKeyCredential.toJSON()` of `navigator.credentials.get()`. */
export const AuthenticationResponse = z
  .object({
    id: CredentialId,
    rawId: CredentialId,
    type: z.literal('public-key'),
    response: z
      .object({
        clientDataJSON: b64url(8192),
        authenticatorData: b64url(65536),
        signature: b64url(2048),
        userHandle: b64url(128).optional(),
      })
      .strict(),
    authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
    clientExtensionResults: ClientExtensionResults,
  })
  .strict();

export interface CeremonyContext {
  deps: AppDeps;
  rp: PasskeysConfig;
  caller: Caller;
  customer: Customer;
}

/** What integrators see of a passkey: never the public key. */
export const presentPasskey = (p: Passkey) => ({
  id: p.id,
  object: 'passkey',
  customerId: p.customerId,
  credentialId: p.credentialId,
  name: p.name,
  transports: p.transports,
  deviceType: p.deviceType,
  backedUp: p.backedUp,
  aaguid: p.aaguid,
  counter: p.counter,
  createdAt: p.createdAt.toISOString(),
  lastUsedAt: p.lastUsedAt?.toISOString() ?? null,
  cloneDetectedAt: p.cloneDetectedAt?.toISOString() ?? null,
});

/** The WebAuthn user handle: the customer id's bytes. Stable per customer, and no personal data. */
const userHandleOf = (customerId: string) => new Uint8Array(Buffer.from(customerId, 'utf8'));

/**
 * Only a customer who passed KYC may register a passkey: effective tier basic or above (a registry
 * confirmed their NIK). Read in the caller's key mode, so sandbox verifications count for test keys only.
 */
export async function requireKyc(db: Queryable, ctx: CeremonyContext): Promise<void> {
  const tier = await effectiveTier(db, ctx.caller.orgId, ctx.customer.id, { mode: ctx.caller.mode });
  if (tierRank(tier) < tierRank('basic')) {
    throw new AppError('passkey_kyc_required', { details: { kycTier: tier, requiredKycTier: 'basic' } });
  }
}

/** A fresh challenge: 32 random bytes, stored for one use within the TTL. Returns it with its expiry. */
async function issueChallenge(
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

export async function registrationOptions(
  tx: Queryable,
  ctx: CeremonyContext,
  input: { userName?: string; displayName?: string },
): Promise<Reply> {
  await requireKyc(tx, ctx);
  const existing = await listPasskeys(tx, ctx.caller.orgId, ctx.customer.id);
  const { bytes, expiresAt } = await issueChallenge(tx, ctx, 'registration');
  const userName = input.userName ?? ctx.customer.externalRef;
  const publicKey = await generateRegistrationOptions({
    rpName: ctx.rp.rpName,
    rpID: ctx.rp.rpId,
    userName,
    userDisplayName: input.displayName ?? userName,
    userID: userHandleOf(ctx.customer.id),
    challenge: bytes,
    timeout: CHALLENGE_TTL_MS,
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: ctx.rp.userVerification },
    supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
  });
  return {
    status: 201,
    body: { object: 'passkey_registration_options', customerId: ctx.customer.id, expiresAt: expiresAt.toISOString(), publicKey },
  };
}

export async function authenticationOptions(tx: Queryable, ctx: CeremonyContext): Promise<Reply> {
  const passkeys = await listPasskeys(tx, ctx.caller.orgId, ctx.customer.id);
  if (passkeys.length === 0) throw new AppError('passkey_none_registered');
  const { bytes, expiresAt } = await issueChallenge(tx, ctx, 'authentication');
  const publicKey = await generateAuthenticationOptions({
    rpID: ctx.rp.rpId,
    challenge: bytes,
    timeout: CHALLENGE_TTL_MS,
    userVerification: ctx.rp.userVerification,
    allowCredentials: passkeys.map((p) => ({ id: p.credentialId, transports: p.transports })),
  });
  return {
    status: 201,
    body: { object: 'passkey_authentication_options', customerId: ctx.customer.id, expiresAt: expiresAt.toISOString(), publicKey },
  };
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
 * `webauthn challenge expired`. Never issued here, issued for another customer or ceremony, or already
 * used: 401 `webauthn_challenge_invalid`, one answer for all three so nothing can be learnt by probing.
 */
async function spendChallenge(ctx: CeremonyContext, ceremony: Ceremony, clientDataJSON: string): Promise<string> {
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
const verificationFailed = (reason: string, cause?: unknown) => new AppError('passkey_verification_failed', { params: { reason }, cause });
const reasonOf = (err: unknown) => (err instanceof Error ? err.message : 'invalid response').slice(0, 300);

/**
 * Verifies a registration response and stores the credential. The KYC gate is checked again in the
 * transaction that inserts it, so a tier lowered since the options were issued still stops it.
 */
export async function verifyRegistration(
  ctx: CeremonyContext,
  input: { response: z.infer<typeof RegistrationResponse>; name?: string },
  transaction: (fn: (tx: Queryable) => Promise<Reply>) => Promise<Reply>,
): Promise<Reply> {
  const challenge = await spendChallenge(ctx, 'registration', input.response.response.clientDataJSON);
  let info;
  try {
    const verified = await verifyRegistrationResponse({
      response: input.response as RegistrationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: ctx.rp.origins,
      expectedRPID: ctx.rp.rpId,
      requireUserVerification: ctx.rp.userVerification === 'required',
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    });
    if (!verified.verified) throw new Error('attestation statement not verified');
    info = verified.registrationInfo;
  } catch (err) {
    throw verificationFailed(reasonOf(err), err);
  }
  // The library trusts the id the browser reports; the attested one is what the key belongs to.
  if (info.credential.id !== input.response.id) throw verificationFailed('credential id differs from the attested one');

  let passkeyId = '';
  const reply = await transaction(async (tx) => {
    await requireKyc(tx, ctx);
    const created = await insertPasskey(tx, {
      orgId: ctx.caller.orgId,
      customerId: ctx.customer.id,
      credentialId: info.credential.id,
      publicKey: info.credential.publicKey,
      counter: info.credential.counter,
      transports: input.response.response.transports ?? [],
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      aaguid: info.aaguid,
      name: input.name ?? null,
      createdAt: ctx.deps.now(),
    });
    if (!created) throw new AppError('passkey_already_registered');
    passkeyId = created.id;
    return { status: 201, body: presentPasskey(created) };
  });
  // Logged once committed; ids only, never the key.
  ctx.deps.logger.info(
    { audit: 'passkey_registered', orgId: ctx.caller.orgId, keyId: ctx.caller.keyId, customerId: ctx.customer.id, passkeyId },
    'passkey registered',
  );
  return reply;
}

/**
 * Verifies an assertion against the customer's stored credential, then moves its signature counter
 * forward in one conditional UPDATE. A counter that does not increase (a cloned authenticator, or a
 * replayed assertion) is refused with 401 `passkey_counter_regressed` and recorded on the passkey.
 */
export async function verifyAuthentication(
  ctx: CeremonyContext,
  input: { response: z.infer<typeof AuthenticationResponse> },
): Promise<Reply> {
  const { deps, caller, customer } = ctx;
  const challenge = await spendChallenge(ctx, 'authentication', input.response.response.clientDataJSON);
  const passkey = await findPasskeyByCredentialId(deps.db, caller.orgId, customer.id, input.response.id);
  if (!passkey) throw verificationFailed('credential not registered for this customer');
  const handle = input.response.response.userHandle;
  if (handle !== undefined && handle !== Buffer.from(userHandleOf(customer.id)).toString('base64url')) {
    throw verificationFailed('user handle does not belong to this customer');
  }

  let info;
  try {
    const verified = await verifyAuthenticationResponse({
      response: input.response as AuthenticationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: ctx.rp.origins,
      expectedRPID: ctx.rp.rpId,
      // Counter 0 here: the library then checks the signature only, and the counter rule below runs on
      // a signed assertion, atomically, so a clone is told apart from a forgery.
      credential: { id: passkey.credentialId, publicKey: passkey.publicKey, counter: 0, transports: passkey.transports },
      requireUserVerification: ctx.rp.userVerification === 'required',
    });
    if (!verified.verified) throw new Error('signature invalid');
    info = verified.authenticationInfo;
  } catch (err) {
    throw verificationFailed(reasonOf(err), err);
  }

  const now = deps.now();
  const updated = await recordAssertion(deps.db, passkey.id, { counter: info.newCounter, backedUp: info.credentialBackedUp, at: now });
  if (!updated) {
    await markCloneDetected(deps.db, passkey.id, now);
    deps.logger.warn(
      { audit: 'passkey_clone_detected', orgId: caller.orgId, customerId: customer.id, passkeyId: passkey.id },
      'passkey signature counter did not increase',
    );
    throw new AppError('passkey_counter_regressed', { details: { passkeyId: passkey.id } });
  }
  return {
    status: 200,
    body: {
      object: 'passkey_authentication',
      verified: true,
      customerId: customer.id,
      passkeyId: updated.id,
      userVerified: info.userVerified,
      authenticatedAt: now.toISOString(),
      passkey: presentPasskey(updated),
    },
  };
}
