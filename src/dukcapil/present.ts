import type { IdSelfieData } from '../../adapters/accuauth';
import type { Enrollment } from '../faces/enrollments-repo';
import { presentEnrollment } from '../faces/present';
import type { Verification } from '../verifications/verifications-repo';
import type { DukcapilRequest } from './dukcapil-request';
import type { ReferencePhotoOutcome } from './reference-enrollment';

/** Suite codes that mean the registry holds the NIK, or says it does not; any other verdict says neither. */
const FOUND = new Set(['identity_match', 'identity_mismatch']);
const NOT_FOUND = new Set(['identity_not_found']);

/** AccuAuth's face_score is apparently 0-100 (providers.md 3.2, "53.3"); the verdict speaks 0-1 like the engine. */
const similarityOf = (score: number | undefined) =>
  score === undefined ? null : Math.round(Math.min(1, Math.max(0, score / 100)) * 1000) / 1000;

/**
 * The verification as a Dukcapil verdict (providers.md 4.3's shape). Fields the registry was not asked
 * or did not answer are null rather than false: `nameMatch` without a name, the face fields when the
 * NIK was not found. `nikActive` is always null: AccuAuth reports no NIK status, and we do not guess one.
 */
export function presentDukcapilVerdict(
  v: Verification,
  request: DukcapilRequest,
  referencePhoto: ReferencePhotoOutcome,
  enrollment: Enrollment | null,
  attempts: unknown[],
) {
  const data = (v.result ?? null) as IdSelfieData | null;
  const found = v.resultCode === null ? null : FOUND.has(v.resultCode) ? true : NOT_FOUND.has(v.resultCode) ? false : null;
  const answered = found === true && data !== null;
  return {
    id: v.id,
    object: 'dukcapil_verdict',
    verificationId: v.id,
    customerId: v.customerId,
    livemode: !v.sandbox,
    status: v.status,
    provider: v.provider,
    nikFound: found,
    nikActive: null,
    nameMatch: answered && request.name !== undefined ? (data.nameMatch ?? null) : null,
    birthDateMatch: answered && request.birthDate !== undefined ? (data.birthDateMatch ?? null) : null,
    faceSimilarity: answered ? similarityOf(data.faceScore) : null,
    faceMatch: answered ? (data.faceMatch ?? null) : null,
    referencePhoto,
    enrollment: enrollment && presentEnrollment(enrollment),
    attempts,
    createdAt: v.createdAt.toISOString(),
    completedAt: v.completedAt?.toISOString() ?? null,
  };
}
