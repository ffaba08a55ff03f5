import { z } from 'zod';
import type { IdSelfieInput } from '../../adapters/accuauth';
import { ACCUAUTH_IMAGE_LIMIT_BYTES } from '../../adapters/accuauth/schemas';

/** Base64 chars of an image at AccuAuth's 50 KB limit (4 chars per 3 bytes, padded). */
export const SELFIE_MAX_BASE64_CHARS = Math.ceil(ACCUAUTH_IMAGE_LIMIT_BYTES / 3) * 4;

/**
 * An image AccuAuth's id_selfie takes: base64 without a data-URI prefix, at most 50 KB decoded. Checked here
 * so the integrator hears about `selfie`, not the adapter's `input.faceImage`, and nothing is sent.
 */
const vendorImage = z
  .string()
  .min(4)
  .max(SELFIE_MAX_BASE64_CHARS, 'must be at most 50 KB decoded (the registry vendor refuses larger images)')
  .refine((s) => s.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(s), 'must be base64 without a data-URI prefix')
  .refine((s) => Buffer.byteLength(s, 'base64') <= ACCUAUTH_IMAGE_LIMIT_BYTES, 'must be at most 50 KB decoded');

/**
 * `POST /v1/nik/dukcapil`, shaped from what AccuAuth id_selfie (the registry-backed operation) takes.
 * There is no `captureBundleId`: capture bundles keep the face's descriptor, never the frames, and the
 * registry vendor needs the selfie's pixels.
 */
export const DukcapilRequest = z
  .object({
    customerId: z.string().regex(/^cus_\w+$/, 'must be a customer id (cus_...)'),
    /** 16-digit NIK. */
    nik: z.string().regex(/^\d{16}$/, 'must be a 16-digit NIK'),
    /** The live selfie the registry compares with its photo. */
    selfie: vendorImage,
    /** The e-KTP card photo, when the integrator has one: the vendor also compares its portrait. */
    ktpImage: vendorImage.optional(),
    /** Compared with the registry's name when given; `nameMatch` is null otherwise. */
    name: z.string().trim().min(1).max(200).optional(),
    /** `YYYY-MM-DD`; compared with the registry's when given. */
    birthDate: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
      .optional(),
  })
  .strict();
export type DukcapilRequest = z.infer<typeof DukcapilRequest>;

/** The identity_selfie input the verification runs with: the request's fields under AccuAuth's (and the check's) names. */
export function identitySelfieInput(r: DukcapilRequest): IdSelfieInput {
  return {
    idNumber: r.nik,
    faceImage: r.selfie,
    ...(r.ktpImage !== undefined && { ktpImage: r.ktpImage }),
    ...(r.name !== undefined && { name: r.name }),
    ...(r.birthDate !== undefined && { birthDate: r.birthDate }),
  };
}
