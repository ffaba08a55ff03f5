import { z } from 'zod';
import { CaptureBundleId, IdentitySelfieInput } from '../check-inputs';

/**
 * The in-house engine as a provider: the inputs the gateway hands this adapter (suite side, camelCase) and
 * the shapes of the engine's answers. The engine runs in this process, so its answers are typed objects,
 * not bytes off a socket: there is nothing to parse, and the interfaces below are the contract that
 * src/gateway/inhouse-engine.ts implements over the engine's own repositories.
 */

const idOf = (prefix: string, what: string) =>
  z
    .string()
    .max(64)
    .regex(new RegExp(`^${prefix}_\\w+$`), `must be ${what} id (${prefix}_...)`);

export { CaptureBundleId } from '../check-inputs';
/** A face enrollment from POST /v1/customers/:id/enrollments, of the verification's customer. */
export const FaceEnrollmentId = idOf('enr', 'a face enrollment');

/** Base64 without a data-URI prefix; the request's body limit bounds its size, the engine checks that it decodes. */
const base64Image = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64 without a data-URI prefix');

// ---------------------------------------------------------------------------------------------------
// Inputs from the gateway.
// ---------------------------------------------------------------------------------------------------

/** `liveness` (a selfie bundle) and `document` (a KTP bundle): the engine judged the frames when they were captured. */
export const InhouseCaptureInput = z.strictObject({ captureBundleId: CaptureBundleId });
export type InhouseCaptureInput = z.infer<typeof InhouseCaptureInput>;

/**
 * `face_match`, the body of POST /v1/matches without `customerId` (the verification's customer): a probe
 * (a live selfie bundle, or an image with no liveness proven) and at most one reference (an enrollment, an
 * image, or neither for the customer's active enrollments).
 */
export const InhouseFaceMatchInput = z
  .strictObject({
    captureBundleId: CaptureBundleId.optional(),
    liveImage: base64Image.optional(),
    faceEnrollmentId: FaceEnrollmentId.optional(),
    referenceImage: base64Image.optional(),
  })
  .superRefine((b, ctx) => {
    if ((b.captureBundleId === undefined) === (b.liveImage === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['captureBundleId'], message: 'give exactly one of captureBundleId and liveImage' });
    }
    if (b.faceEnrollmentId !== undefined && b.referenceImage !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['referenceImage'], message: 'give at most one of faceEnrollmentId and referenceImage' });
    }
  });
export type InhouseFaceMatchInput = z.infer<typeof InhouseFaceMatchInput>;

/**
 * What the registry-less `identity_selfie` takes: the check's input with a live selfie bundle required, whose
 * face stands in for `faceImage` (an image alone proves no liveness).
 */
export const InhouseIdentitySelfie = IdentitySelfieInput.extend({ captureBundleId: CaptureBundleId });

/** What it reads of that: the NIK, the stated birth date if any, and the bundle. */
export interface InhouseIdentitySelfieInput {
  idNumber: string;
  birthDate?: string;
  captureBundleId: string;
}

// ---------------------------------------------------------------------------------------------------
// The engine's answers.
// ---------------------------------------------------------------------------------------------------

/** One voter's opinion (seed 000 `antiSpoof.voters[]`, `tamper.voters[]`). */
export interface EngineVote {
  name: string;
  verdict: 'pass' | 'fail' | 'uncertain';
  score: number;
  detail: string;
}

/** What the engine keeps of a capture bundle: its verdicts, never its frames. */
export interface EngineCapture {
  id: string;
  customerId: string;
  kind: 'selfie' | 'ktp';
  /** `live`, `spoof` or `uncertain`. */
  antiSpoof: { fused: string; voters: EngineVote[] };
  /** KTP only: `pass`, `fail` or `uncertain`. */
  tamper: { fused: string; voters: EngineVote[] } | null;
}

/** A face match as POST /v1/matches would answer it, stored under `id` (`mat_...`). */
export interface EngineMatch {
  id: string;
  similarity: number;
  matched: boolean;
  threshold: number;
  probe: { source: 'capture_bundle' | 'live_image'; captureBundleId: string | null };
  perReference: Array<{ faceEnrollmentId: string | null; source: string; quality: number; similarity: number; matched: boolean }>;
}

/** The probe and reference of a match; no reference means the customer's active enrollments. */
export interface EngineMatchRequest {
  customerId: string;
  captureBundleId?: string;
  liveImage?: string;
  faceEnrollmentId?: string;
  referenceImage?: string;
  /**
   * Leave out enrollments made from the probe's own bundle: a selfie compared with itself proves nothing
   * (the registry-less identity check asks this; POST /v1/matches does not).
   */
  excludeProbeEnrollments?: boolean;
}

/**
 * A match, or the engine's refusal with its own error code (`capture_bundle_not_found`,
 * `no_active_enrollments`, `face_not_found`, ... as POST /v1/matches answers them) and the field at fault.
 */
export type EngineMatchAnswer = { match: EngineMatch } | { refused: string; param?: string };
