import { z } from 'zod';
import { CaptureBundleId, InhouseCaptureInput, InhouseFaceMatchInput } from '../../adapters/inhouse/schemas';
import { LapisDocumentUploadInput, LapisFaceAuthenticationInput, LapisLivelinessInput } from '../../adapters/lapis/schemas';
import type { Check } from '../../adapters/types';
import type { VendorId } from './providers';

const base64 = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64 without a data-URI prefix');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');
const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https URL' });

const IdentitySelfie = z
  .object({
    /** 16-digit NIK. */
    idNumber: z.string().regex(/^\d{16}$/, 'must be a 16-digit NIK'),
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

const HostedSession = z
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

/**
 * What each provider takes in `input`, per check it serves. Providers of a check share one shape where
 * their evidence is of one kind (identity_selfie: AccuAuth's fields, plus the selfie bundle the engine
 * needs, which AccuAuth ignores); where it differs in kind (a Lapis video and document id, a signed
 * flash-challenge bundle) each has its own, and the input decides who can serve it: routing skips a
 * provider whose shape the input does not have (`input_not_accepted`). Adapters check their vendor's own
 * limits (AccuAuth's 50 KB images, say) before any call, so those stay with them. The providers listed
 * per check are exactly those whose adapter declares an operation for it (test/gateway/inhouse-routing.test.ts).
 */
export const CHECK_INPUTS = {
  identity_selfie: { accuauth: IdentitySelfie, inhouse: IdentitySelfie.extend({ captureBundleId: CaptureBundleId }) },
  name_check: {
    accuauth: z
      .object({
        idNumber: z.string().regex(/^\d{16}$/, 'must be a 16-digit NIK'),
        name: z.string().trim().min(1).max(200),
      })
      .strict(),
  },
  document: { lapis: LapisDocumentUploadInput, inhouse: InhouseCaptureInput },
  face_match: { lapis: LapisFaceAuthenticationInput, inhouse: InhouseFaceMatchInput },
  liveness: { lapis: LapisLivelinessInput, inhouse: InhouseCaptureInput },
  hosted_session: { idenfy: HostedSession },
} satisfies { [C in Check]: Partial<Record<VendorId, z.ZodType>> };

/** The input one provider's adapter receives for a check, as its schema parsed it. */
export type ProviderInput<C extends Check, P extends keyof (typeof CHECK_INPUTS)[C]> = (typeof CHECK_INPUTS)[C][P] extends z.ZodType
  ? z.infer<(typeof CHECK_INPUTS)[C][P]>
  : never;

/** What a check takes whichever provider answers it: any of its providers' shapes. */
export type CheckInput<C extends Check> = { [P in keyof (typeof CHECK_INPUTS)[C]]: ProviderInput<C, P> }[keyof (typeof CHECK_INPUTS)[C]];

const schemaOf = (check: Check, provider: VendorId): z.ZodType | undefined =>
  (CHECK_INPUTS[check] as Partial<Record<VendorId, z.ZodType>>)[provider];

/** The providers with an input shape for the check, in the order above. */
export const providersWithInput = (check: Check): VendorId[] => Object.keys(CHECK_INPUTS[check]) as VendorId[];

/** Does the provider take this input for the check? */
export const acceptsInput = (check: Check, provider: VendorId, input: unknown): boolean =>
  schemaOf(check, provider)?.safeParse(input).success ?? false;

/** The input as the provider's own schema reads it (trimmed, defaulted), for its adapter; null when it does not fit. */
export function providerInput(check: Check, provider: VendorId, input: unknown): { value: unknown } | null {
  const parsed = schemaOf(check, provider)?.safeParse(input);
  return parsed?.success ? { value: parsed.data } : null;
}

/**
 * Why a verification's input is refused, or null when some provider can take it: the pinned provider's
 * shape, or for `auto` any shape of the check (routing then skips the providers it does not fit). When no
 * shape fits, the issues are those of the shape the input came closest to (fewest issues; the order above
 * among equals), so `{documentId, video}` with a bad video is told about the video, not about a missing
 * `captureBundleId`.
 */
export function inputIssues(check: Check, input: unknown, pinned?: VendorId): z.core.$ZodIssue[] | null {
  const providers = pinned ? [pinned] : providersWithInput(check);
  let closest: z.core.$ZodIssue[] | null = null;
  for (const provider of providers) {
    const parsed = schemaOf(check, provider)?.safeParse(input);
    if (!parsed) continue;
    if (parsed.success) return null;
    if (!closest || parsed.error.issues.length < closest.length) closest = parsed.error.issues;
  }
  return closest ?? [{ code: 'custom', path: [], message: `no input shape for ${check}`, input }];
}
