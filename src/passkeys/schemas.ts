import { z } from 'zod';

// The WebAuthn JSON a browser sends back from `navigator.credentials.create()` / `.get()`, checked for
// shape and size only: what it proves is verified by @simplewebauthn/server in the ceremonies.

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
export type RegistrationResponse = z.infer<typeof RegistrationResponse>;

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
export type AuthenticationResponse = z.infer<typeof AuthenticationResponse>;
