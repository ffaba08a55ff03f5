import { z } from 'zod';
import { requireCustomer } from '../customers/require-customer';
import { findCapture } from '../engine/captures-repo';
import type { FaceSample } from '../engine/face-analysis/describe';
import { AppError } from '../errors/app-error';
import type { AppDeps, Caller } from '../deps';
import type { NewEnrollment } from './enrollments-repo';
import { faceFromUpload } from './face-input';
import { enrollmentOf } from './new-enrollment';
import { ImageField } from './match-faces';

export const EnrollBody = (maxImageChars: number) =>
  z
    .object({
      /** A passed capture of this customer: a selfie becomes `selfie_capture`, a KTP's portrait `ktp_extract`... */
      captureBundleId: z.string().min(1).max(64).optional(),
      /** ...or a base64 image the integrator holds (`upload`). Exactly one of the two. */
      image: ImageField(maxImageChars).optional(),
    })
    .strict();
export type EnrollBody = z.infer<ReturnType<typeof EnrollBody>>;

/**
 * The enrollment a request asks for, checked and measured but not yet stored (the route stores it in a
 * short transaction; face detection must not hold one open). A capture must have passed: a selfie whose
 * liveness failed, or a KTP that failed its tamper checks, is no reference. A face too poor to match
 * well is refused with what is wrong with it, so the integrator can ask for a better image.
 */
export async function prepareEnrollment(deps: AppDeps, caller: Caller, customerId: string, body: EnrollBody): Promise<NewEnrollment> {
  if ((body.captureBundleId === undefined) === (body.image === undefined)) {
    throw new AppError('invalid_request', {
      params: { detail: 'give exactly one of captureBundleId and image' },
      param: 'captureBundleId',
    });
  }
  const now = deps.now();
  const face = deps.engine.config.face;
  await requireCustomer(deps.db, caller.orgId, customerId, 'id');
  let sample: Pick<FaceSample, 'descriptor' | 'quality'>;
  let source: NewEnrollment['source'] = 'upload';
  if (body.captureBundleId !== undefined) {
    const capture = await findCapture(deps.db, caller.orgId, body.captureBundleId, now);
    if (!capture || capture.customerId !== customerId) throw new AppError('capture_bundle_not_found', { param: 'captureBundleId' });
    if (capture.antiSpoof.fused !== 'live') throw new AppError('bundle_liveness_not_passed', { param: 'captureBundleId' });
    if (capture.status !== 'passed')
      throw new AppError('tamper_failed', { param: 'captureBundleId', details: { captureBundleId: capture.id } });
    if (!capture.face) throw new AppError('face_not_found', { params: { param: 'captureBundleId' }, param: 'captureBundleId' });
    sample = capture.face;
    source = capture.kind === 'selfie' ? 'selfie_capture' : 'ktp_extract';
  } else {
    sample = await faceFromUpload(deps.engine, body.image as string, 'image');
  }
  const enrollment = enrollmentOf(face, {
    orgId: caller.orgId,
    customerId,
    source,
    captureBundleId: body.captureBundleId,
    sample,
    createdAt: now,
  });
  if (!enrollment) {
    throw new AppError('face_quality_too_low', {
      params: { issues: sample.quality.issues.join(', ') || 'low score' },
      details: { quality: sample.quality, minimum: face.minEnrollmentQuality },
    });
  }
  return enrollment;
}
