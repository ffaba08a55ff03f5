import { z } from 'zod';

/**
 * The suite's input of the checks whose providers take evidence of one kind, written once so every provider
 * of the check reads the same fields (an operation may extend the shape with what it needs besides, as the
 * engine's registry-less identity_selfie adds its selfie bundle). Where providers take evidence of different
 * kinds (a Lapis document id and video, a signed flash-challenge bundle), each declares its own shape in its
 * schemas.ts and the input decides who can serve the verification.
 */

const base64 = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64 without a data-URI prefix');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');
const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https URL' });
const nik = z.string().regex(/^\d{16}$/, 'must be a 16-digit NIK');

/** A capture bundle from POST /v1/captures, of the verification's customer. */
export const CaptureBundleId = z
  .string()
  .max(64)
  .regex(/^cap_\w+$/, 'must be a capture bundle id (cap_...)');

/** `identity_selfie`: an NIK and a selfie against the population registry. */
export const IdentitySelfieInput = z
  .object({
    /** 16-digit NIK. */
    idNumber: nik,
    faceImage: base64,
    ktpImage: base64.optional(),
    name: z.string().trim().min(1).max(200).optional(),
    birthDate: isoDate.optional(),
    /** Face similarity threshold on the provider's scale (AccuAuth: 0-100). */
    faceThreshold: z.number().min(0).max(100).optional(),
    /** A live selfie bundle (POST /v1/captures): what the in-house engine needs; registry vendors ignore it. */
    captureBundleId: CaptureBundleId.optional(),
  })
  .strict();
export type IdentitySelfieInput = z.infer<typeof IdentitySelfieInput>;

/** `name_check`: an NIK and the name the customer gave. */
export const NameCheckInput = z.object({ idNumber: nik, name: z.string().trim().min(1).max(200) }).strict();
export type NameCheckInput = z.infer<typeof NameCheckInput>;

/** `hosted_session`: a vendor-hosted identification page the customer is sent to. */
export const HostedSessionInput = z
  .object({
    tokenType: z.enum(['IDENTIFICATION', 'DOCUMENT']).optional(),
    locale: z.string().min(2).max(7).optional(),
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 code')
      .optional(),
    documents: z.array(z.string().min(1).max(40)).min(1).max(10).optional(),
    successUrl: httpsUrl.optional(),
    errorUrl: httpsUrl.optional(),
    unverifiedUrl: httpsUrl.optional(),
    /** How long the link stays usable before the user starts, in seconds. */
    expirySeconds: z.number().int().min(1).max(2_592_000).optional(),
    /** How long the user has once the hosted page is open, in seconds. */
    sessionSeconds: z.number().int().min(60).max(3600).optional(),
    firstName: z.string().trim().min(1).max(100).optional(),
    lastName: z.string().trim().min(1).max(100).optional(),
    dateOfBirth: isoDate.optional(),
  })
  .strict();
export type HostedSessionInput = z.infer<typeof HostedSessionInput>;
