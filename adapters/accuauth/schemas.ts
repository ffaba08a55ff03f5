import { z } from 'zod';

/**
 * AccuAuth Indonesia's wire format (providers.md 3, seed 001). Every endpoint answers
 * `{status:"OK", result:{...}, request_id}` on success and `{status:<ERROR_CODE>, reason, request_id}`
 * on a 40x/51x error. Response fields the vendor may leave out on non-match results are optional, so a
 * legitimate "not found" answer is not mistaken for a broken one; only the result code itself and the
 * envelope are required.
 */

/** Largest decoded image the vendor accepts, in bytes ("image size must be limited to 50KB"). */
export const ACCUAUTH_IMAGE_LIMIT_BYTES = 50 * 1024;

/**
 * Largest registry reference photo we accept, in decoded bytes. Registry portraits are small passport-style
 * JPEGs; the bound keeps a broken or hostile answer from handing the face engine megabytes to decode.
 */
export const ACCUAUTH_REFERENCE_PHOTO_LIMIT_BYTES = 512 * 1024;

/** Base64 chars that decode to at most `bytes` bytes (4 chars per 3 bytes, padded). */
const base64CharsFor = (bytes: number) => Math.ceil(bytes / 3) * 4;

/**
 * The registry's reference photo (`registry_photo`, base64 JPEG/PNG, no data-URI prefix). OUR ASSUMPTION:
 * no AccuAuth source documents such a field (providers.md 4.3); seed 000 assumes a Dukcapil verdict "gives
 * you a clean photo". Checked apart from the envelope, so a bad photo costs the photo, never the verdict.
 */
export const ReferencePhoto = z
  .string()
  .min(4)
  .max(base64CharsFor(ACCUAUTH_REFERENCE_PHOTO_LIMIT_BYTES))
  .refine((s) => s.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(s), 'must be base64');

/** The vendor's two-digit business result code (`01`..`08`). */
const ResultCode = z.string().regex(/^\d{2}$/);

// ---- requests ----

export const IdSelfieRequest = z.object({
  id_number: z.string(),
  /** Base64 of the selfie, no data-URI prefix; at most 50 KB decoded. */
  face_image: z.string(),
  /** Base64 of the e-KTP card photo; at most 50 KB decoded. */
  ktp_image: z.string().optional(),
  email: z.string().optional(),
  phone_number: z.string().optional(),
  /** `YYYY-MM-DD`. */
  birth_date: z.string().optional(),
  name: z.string().optional(),
  /** Face similarity threshold, on the vendor's face_score scale. */
  face_threshold: z.number().optional(),
});
export type IdSelfieRequest = z.infer<typeof IdSelfieRequest>;

/** The body of both `/verify/id_name` and `/verify/id_name_check`. */
export const IdNameRequest = z.object({ id_number: z.string(), name: z.string() });
export type IdNameRequest = z.infer<typeof IdNameRequest>;

// ---- success results ----

export const IdSelfieResult = z.object({
  order_no: z.string().optional(),
  /** `YYYY-MM-DD HH:MM:SS`, vendor local time. */
  handle_time: z.string().optional(),
  result: ResultCode,
  remark: z.string().nullish(),
  id_number: z.string().nullish(),
  face_percent: z.boolean().nullish(),
  ktp_face_percent: z.boolean().nullish(),
  /** Apparently 0-100 (the sample says 53.3). */
  face_score: z.number().nullish(),
  ktp_face_score: z.number().nullish(),
  name: z.boolean().nullish(),
  birth_date: z.boolean().nullish(),
  /**
   * The registry's reference photo, when the answer carries one (our assumption, see ReferencePhoto). Any
   * string here keeps the envelope valid: ReferencePhoto is applied in transform.ts, so a photo that fails
   * it is dropped without turning a charged verdict into `schema_invalid`.
   */
  registry_photo: z.string().nullish(),
});
export type IdSelfieResult = z.infer<typeof IdSelfieResult>;

export const IdNameResult = z.object({
  order_no: z.string().optional(),
  handle_time: z.string().optional(),
  result: ResultCode,
  remark: z.string().nullish(),
});
export type IdNameResult = z.infer<typeof IdNameResult>;

export const IdNameCheckResult = z.object({
  /** The registry's name, partly masked by the vendor. */
  real_name: z.string(),
  /** Similarity 0..1; the vendor recommends 0.9 or 1.0 as the pass threshold. */
  name_percent: z.number().min(0).max(1),
});
export type IdNameCheckResult = z.infer<typeof IdNameCheckResult>;

// ---- envelopes ----

export const successEnvelope = <R extends z.ZodType>(result: R) =>
  z.object({ status: z.literal('OK'), result, request_id: z.string().optional() });

export const ErrorEnvelope = z.object({
  status: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/)
    .refine((s) => s !== 'OK'),
  reason: z.string().optional(),
  request_id: z.string().optional(),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

/** Either envelope of one endpoint: what a body must fit to be more than `schema_invalid`. */
export const answerOf = <R extends z.ZodType>(result: R) => z.union([successEnvelope(result), ErrorEnvelope]);

// Each endpoint's answer, built once: a zod schema is an object graph, not worth building per call.
export const IdSelfieAnswer = answerOf(IdSelfieResult);
export const IdNameAnswer = answerOf(IdNameResult);
export const IdNameCheckAnswer = answerOf(IdNameCheckResult);
