import type { AuthenticationOptions, PasskeyAuthentication } from './authentication';
import type { Passkey } from './passkeys-repo';
import type { RegistrationOptions } from './registration';

// The JSON the passkey endpoints answer. Ids, flags and times only: a public key never leaves the server.

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

/** `publicKey` is what the browser passes to `navigator.credentials.create({ publicKey })`. */
export const presentRegistrationOptions = (o: RegistrationOptions) => ({
  object: 'passkey_registration_options',
  customerId: o.customerId,
  expiresAt: o.expiresAt.toISOString(),
  publicKey: o.publicKey,
});

/** `publicKey` is what the browser passes to `navigator.credentials.get({ publicKey })`. */
export const presentAuthenticationOptions = (o: AuthenticationOptions) => ({
  object: 'passkey_authentication_options',
  customerId: o.customerId,
  expiresAt: o.expiresAt.toISOString(),
  publicKey: o.publicKey,
});

/** A passed sign-in; a failed one is an error, so `verified` is always true here. */
export const presentAuthentication = (a: PasskeyAuthentication) => ({
  object: 'passkey_authentication',
  verified: true,
  customerId: a.passkey.customerId,
  passkeyId: a.passkey.id,
  userVerified: a.userVerified,
  authenticatedAt: a.authenticatedAt.toISOString(),
  passkey: presentPasskey(a.passkey),
});
