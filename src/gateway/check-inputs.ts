import { z } from 'zod';
import { LapisDocumentUploadInput, LapisFaceAuthenticationInput, LapisLivelinessInput } from '../../adapters/lapis/schemas';
import type { Check } from '../../adapters/types';

const base64 = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64 without a data-URI prefix');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');
const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https URL' });

/**
 * What each check takes in `input`, provider-neutral where the providers allow it. Adapters check their
 * vendor's own limits (AccuAuth's 50 KB images, say) before any call, so those stay with them.
 */
export const CHECK_INPUTS = {
  identity_selfie: z
    .object({
      /** 16-digit NIK. */
      idNumber: z.string().regex(/^\d{16}$/, 'must be a 16-digit NIK'),
      faceImage: base64,
      ktpImage: base64.optional(),
      name: z.string().trim().min(1).max(200).optional(),
      birthDate: isoDate.optional(),
      /** Face similarity threshold on the provider's scale (AccuAuth: 0-100). */
      faceThreshold: z.number().min(0).max(100).optional(),
    })
    .strict(),
  name_check: z
    .object({
      idNumber: z.string().regex(/^\d{16}$/, 'must be a 16-digit NIK'),
      name: z.string().trim().min(1).max(200),
    })
    .strict(),
  document: LapisDocumentUploadInput,
  face_match: LapisFaceAuthenticationInput,
  liveness: LapisLivelinessInput,
  hosted_session: z
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
    .strict(),
} satisfies Record<Check, z.ZodType>;

export type CheckInput<C extends Check> = z.infer<(typeof CHECK_INPUTS)[C]>;
