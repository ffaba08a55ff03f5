import {
  generateAuthenticationOptions,
  verifyAuthenticationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { AppDeps, Caller } from '../deps';
import { AppError } from '../errors/app-error';
import type { Commit } from '../store/db';
import { ceremonyFor, issueChallenge, reasonOf, spendChallenge, userHandleOf, verificationFailed } from './ceremony';
import { CHALLENGE_TTL_MS, type PasskeysConfig } from './passkeys-config';
import { findPasskeyByCredentialId, listPasskeys, markCloneDetected, recordAssertion, type Passkey } from './passkeys-repo';
import type { AuthenticationResponse } from './schemas';

export interface AuthenticationOptionsRequest {
  customerId: string;
}

/** The options `navigator.credentials.get({ publicKey })` takes, and when their challenge expires. */
export interface AuthenticationOptions {
  customerId: string;
  expiresAt: Date;
  publicKey: PublicKeyCredentialRequestOptionsJSON;
}

export interface AuthenticationRequest {
  customerId: string;
  response: AuthenticationResponse;
}

/** A verified assertion: the passkey with its counter moved forward, and when the customer signed in. */
export interface PasskeyAuthentication {
  passkey: Passkey;
  userVerified: boolean;
  authenticatedAt: Date;
}

/**
 * Starts an authentication: a fresh challenge, stored in `commit`'s transaction, and options that allow
 * the customer's registered credentials. A customer without any is refused with `passkey_none_registered`.
 */
export async function authenticationOptions(
  deps: AppDeps,
  rp: PasskeysConfig,
  caller: Caller,
  request: AuthenticationOptionsRequest,
  commit: Commit<AuthenticationOptions> = (work) => deps.db.transaction(work),
): Promise<AuthenticationOptions> {
  return commit(async (tx) => {
    const ctx = await ceremonyFor(tx, deps, rp, caller, request.customerId);
    const passkeys = await listPasskeys(tx, caller.orgId, ctx.customer.id);
    if (passkeys.length === 0) throw new AppError('passkey_none_registered');
    const { bytes, expiresAt } = await issueChallenge(tx, ctx, 'authentication');
    const publicKey = await generateAuthenticationOptions({
      rpID: rp.rpId,
      challenge: bytes,
      timeout: CHALLENGE_TTL_MS,
      userVerification: rp.userVerification,
      allowCredentials: passkeys.map((p) => ({ id: p.credentialId, transports: p.transports })),
    });
    return { customerId: ctx.customer.id, expiresAt, publicKey };
  });
}

/**
 * Verifies an assertion against the customer's stored credential, then moves its signature counter
 * forward in one conditional UPDATE. A counter that does not increase (a cloned authenticator, or a
 * replayed assertion) is refused with 401 `passkey_counter_regressed` and recorded on the passkey.
 */
export async function verifyAuthentication(
  deps: AppDeps,
  rp: PasskeysConfig,
  caller: Caller,
  request: AuthenticationRequest,
): Promise<PasskeyAuthentication> {
  const ctx = await ceremonyFor(deps.db, deps, rp, caller, request.customerId);
  const { customer } = ctx;
  const { response } = request;
  const challenge = await spendChallenge(ctx, 'authentication', response.response.clientDataJSON);
  const passkey = await findPasskeyByCredentialId(deps.db, caller.orgId, customer.id, response.id);
  if (!passkey) throw verificationFailed('credential not registered for this customer');
  const handle = response.response.userHandle;
  if (handle !== undefined && handle !== Buffer.from(userHandleOf(customer.id)).toString('base64url')) {
    throw verificationFailed('user handle does not belong to this customer');
  }

  let info;
  try {
    const verified = await verifyAuthenticationResponse({
      response: response as AuthenticationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.rpId,
      // Counter 0 here: the library then checks the signature only, and the counter rule below runs on
      // a signed assertion, atomically, so a clone is told apart from a forgery.
      credential: { id: passkey.credentialId, publicKey: passkey.publicKey, counter: 0, transports: passkey.transports },
      requireUserVerification: rp.userVerification === 'required',
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
  return { passkey: updated, userVerified: info.userVerified, authenticatedAt: now };
}
