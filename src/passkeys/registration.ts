import {
  generateRegistrationOptions,
  verifyRegistrationResponse,
  type PublicKeyCredentialCreationOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { AppDeps, Caller } from '../deps';
import { AppError } from '../errors/app-error';
import { effectiveTier, tierRank } from '../kyc/kyc-status';
import type { Commit, Queryable } from '../store/db';
import { ceremonyFor, issueChallenge, reasonOf, spendChallenge, userHandleOf, verificationFailed, type CeremonyContext } from './ceremony';
import { CHALLENGE_TTL_MS, type PasskeysConfig } from './passkeys-config';
import { insertPasskey, listPasskeys, type Passkey } from './passkeys-repo';
import type { RegistrationResponse } from './schemas';

/** EdDSA, ES256, RS256 (COSE ids): offered at registration and required of the attested key. */
export const SUPPORTED_ALGORITHMS = [-8, -7, -257];

export interface RegistrationOptionsRequest {
  customerId: string;
  /** Shown by the passkey manager; defaults to the customer's externalRef. Not stored. */
  userName?: string;
  displayName?: string;
}

/** The options `navigator.credentials.create({ publicKey })` takes, and when their challenge expires. */
export interface RegistrationOptions {
  customerId: string;
  expiresAt: Date;
  publicKey: PublicKeyCredentialCreationOptionsJSON;
}

export interface RegistrationRequest {
  customerId: string;
  response: RegistrationResponse;
  /** A label for the integrator's UI ("Budi's phone"). */
  name?: string;
}

/**
 * Only a customer who passed KYC may register a passkey: effective tier basic or above (a registry
 * confirmed their NIK). Read in the caller's key mode, so sandbox verifications count for test keys only.
 */
async function requireKyc(db: Queryable, ctx: CeremonyContext): Promise<void> {
  const tier = await effectiveTier(db, ctx.caller.orgId, ctx.customer.id, {
    keyMode: ctx.caller.keyMode,
    registry: ctx.deps.gateway.registry,
  });
  if (tierRank(tier) < tierRank('basic')) {
    throw new AppError('passkey_kyc_required', { details: { kycTier: tier, requiredKycTier: 'basic' } });
  }
}

/**
 * Starts a registration for a customer who passed KYC: a fresh challenge, stored in `commit`'s
 * transaction, and options that exclude the credentials the customer already has.
 */
export async function registrationOptions(
  deps: AppDeps,
  rp: PasskeysConfig,
  caller: Caller,
  request: RegistrationOptionsRequest,
  commit: Commit<RegistrationOptions> = (work) => deps.db.transaction(work),
): Promise<RegistrationOptions> {
  return commit(async (tx) => {
    const ctx = await ceremonyFor(tx, deps, rp, caller, request.customerId);
    await requireKyc(tx, ctx);
    const existing = await listPasskeys(tx, caller.orgId, ctx.customer.id);
    const { bytes, expiresAt } = await issueChallenge(tx, ctx, 'registration');
    const userName = request.userName ?? ctx.customer.externalRef;
    const publicKey = await generateRegistrationOptions({
      rpName: rp.rpName,
      rpID: rp.rpId,
      userName,
      userDisplayName: request.displayName ?? userName,
      userID: userHandleOf(ctx.customer.id),
      challenge: bytes,
      timeout: CHALLENGE_TTL_MS,
      attestationType: 'none',
      excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: rp.userVerification },
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    });
    return { customerId: ctx.customer.id, expiresAt, publicKey };
  });
}

/**
 * Verifies a registration response and stores the credential. The KYC gate is checked again in the
 * transaction that inserts it, so a tier lowered since the options were issued still stops it.
 */
export async function verifyRegistration(
  deps: AppDeps,
  rp: PasskeysConfig,
  caller: Caller,
  request: RegistrationRequest,
  commit: Commit<Passkey> = (work) => deps.db.transaction(work),
): Promise<Passkey> {
  const ctx = await ceremonyFor(deps.db, deps, rp, caller, request.customerId);
  const { response } = request;
  const challenge = await spendChallenge(ctx, 'registration', response.response.clientDataJSON);
  let info;
  try {
    const verified = await verifyRegistrationResponse({
      response: response as RegistrationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.rpId,
      requireUserVerification: rp.userVerification === 'required',
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    });
    if (!verified.verified) throw new Error('attestation statement not verified');
    info = verified.registrationInfo;
  } catch (err) {
    throw verificationFailed(reasonOf(err), err);
  }
  // The library trusts the id the browser reports; the attested one is what the key belongs to.
  if (info.credential.id !== response.id) throw verificationFailed('credential id differs from the attested one');

  const passkey = await commit(async (tx) => {
    await requireKyc(tx, ctx);
    const created = await insertPasskey(tx, {
      orgId: caller.orgId,
      customerId: ctx.customer.id,
      credentialId: info.credential.id,
      publicKey: info.credential.publicKey,
      counter: info.credential.counter,
      transports: response.response.transports ?? [],
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      aaguid: info.aaguid,
      name: request.name ?? null,
      createdAt: deps.now(),
    });
    if (!created) throw new AppError('passkey_already_registered');
    return created;
  });
  // Logged once committed; ids only, never the key.
  deps.logger.info(
    { audit: 'passkey_registered', orgId: caller.orgId, keyId: caller.keyId, customerId: ctx.customer.id, passkeyId: passkey.id },
    'passkey registered',
  );
  return passkey;
}
