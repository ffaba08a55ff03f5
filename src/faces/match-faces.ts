import { z } from 'zod';
import { requireCustomer } from '../customers/require-customer';
import { findCapture } from '../engine/captures-repo';
import type { FaceSample } from '../engine/face-analysis/describe';
import { similarity } from '../engine/face-analysis/similarity';
import { round } from '../engine/voter';
import { AppError } from '../errors/app-error';
import type { AppDeps, Caller } from '../deps';
import type { Queryable } from '../store/db';
import { findEnrollment, listEnrollments, type Enrollment } from './enrollments-repo';
import { faceFromUpload } from './face-input';
import type { FaceMatch, ReferenceScore } from './matches-repo';

/** An uploaded image: its size is bounded here so an oversize one is refused before it is decoded. */
export const ImageField = (maxChars: number) => z.string().max(maxChars, { message: `at most ${maxChars} characters of base64` });

export const MatchBody = (maxImageChars: number) =>
  z
    .object({
      customerId: z.string().min(1).max(64),
      /** Probe: a passed selfie capture of this customer... */
      captureBundleId: z.string().min(1).max(64).optional(),
      /** ...or a base64 image (no liveness proven: prefer a bundle). Exactly one of the two. */
      liveImage: ImageField(maxImageChars).optional(),
      /** Reference: one enrollment, or one base64 image, or neither for the customer's active pool. */
      faceEnrollmentId: z.string().min(1).max(64).optional(),
      referenceImage: ImageField(maxImageChars).optional(),
    })
    .strict();
export type MatchBody = z.infer<ReturnType<typeof MatchBody>>;

interface Reference {
  enrollment: Enrollment | null;
  descriptor: Float32Array;
  quality: number;
}

/**
 * POST /v1/matches, in seed 000's order: the probe's source (exactly one), the reference (at most one),
 * the customer, the bundle (this customer's, within retention, live), the references (one enrollment, an
 * image, or the active pool), then every comparison. The overall similarity is the best reference's.
 * Nothing is written: the caller stores the result in its own (short) transaction, because face
 * detection takes hundreds of ms and must not hold a database transaction open.
 */
export async function scoreMatch(deps: AppDeps, caller: Caller, body: MatchBody): Promise<Omit<FaceMatch, 'id'>> {
  const db = deps.db;
  const { engine } = deps;
  if ((body.captureBundleId === undefined) === (body.liveImage === undefined)) {
    throw new AppError('probe_source_required', { param: body.captureBundleId === undefined ? 'captureBundleId' : 'liveImage' });
  }
  if (body.faceEnrollmentId !== undefined && body.referenceImage !== undefined) {
    throw new AppError('too_many_references', { param: 'referenceImage' });
  }
  const now = deps.now();
  await requireCustomer(db, caller.orgId, body.customerId);
  // Both images go to the worker pool at once; a probe error is reported before a reference error.
  const [probeResult, referencesResult] = await Promise.allSettled([probeOf(deps, caller, body, db, now), referencesOf(deps, caller, body, db, now)]);
  if (probeResult.status === 'rejected') throw probeResult.reason;
  if (referencesResult.status === 'rejected') throw referencesResult.reason;
  const probe = probeResult.value;
  const references = referencesResult.value;

  const threshold = engine.config.face.matchThreshold;
  const perReference: ReferenceScore[] = references.map((r) => {
    const score = round(similarity(probe.sample.descriptor, r.descriptor));
    return {
      faceEnrollmentId: r.enrollment?.id ?? null,
      source: r.enrollment?.source ?? 'reference_image',
      quality: r.quality,
      similarity: score,
      matched: score >= threshold,
    };
  });
  const best = Math.max(...perReference.map((r) => r.similarity));
  return {
    orgId: caller.orgId,
    keyId: caller.keyId,
    customerId: body.customerId,
    probeSource: probe.captureBundleId ? 'capture_bundle' : 'live_image',
    captureBundleId: probe.captureBundleId,
    probeQuality: probe.sample.quality,
    similarity: best,
    matched: best >= threshold,
    threshold,
    perReference,
    createdAt: now,
  };
}

async function probeOf(
  deps: AppDeps,
  caller: Caller,
  body: MatchBody,
  db: Queryable,
  now: Date,
): Promise<{ sample: Pick<FaceSample, 'descriptor' | 'quality'>; captureBundleId: string | null }> {
  if (body.liveImage !== undefined) return { sample: await faceFromUpload(deps.engine, body.liveImage, 'liveImage'), captureBundleId: null };
  const id = body.captureBundleId as string;
  const capture = await findCapture(db, caller.orgId, id, now);
  // Another customer's bundle is as unknown as another org's: seed 000 answers both with 404.
  if (!capture || capture.customerId !== body.customerId) throw new AppError('capture_bundle_not_found', { param: 'captureBundleId' });
  if (capture.kind !== 'selfie') {
    throw new AppError('invalid_request', { params: { detail: 'captureBundleId: the probe must be a selfie capture' }, param: 'captureBundleId' });
  }
  if (capture.antiSpoof.fused !== 'live') throw new AppError('bundle_liveness_not_passed', { param: 'captureBundleId' });
  if (!capture.face) throw new AppError('face_not_found', { params: { param: 'captureBundleId' }, param: 'captureBundleId' });
  return { sample: capture.face, captureBundleId: capture.id };
}

async function referencesOf(deps: AppDeps, caller: Caller, body: MatchBody, db: Queryable, now: Date): Promise<Reference[]> {
  if (body.referenceImage !== undefined) {
    const sample = await faceFromUpload(deps.engine, body.referenceImage, 'referenceImage');
    return [{ enrollment: null, descriptor: sample.descriptor, quality: sample.quality.score }];
  }
  if (body.faceEnrollmentId !== undefined) {
    const enrollment = await findEnrollment(db, caller.orgId, body.faceEnrollmentId, now);
    if (!enrollment || enrollment.customerId !== body.customerId) {
      throw new AppError('resource_not_found', { params: { resource: 'face enrollment' }, param: 'faceEnrollmentId' });
    }
    if (enrollment.status !== 'active') throw new AppError('enrollment_inactive', { param: 'faceEnrollmentId' });
    return [{ enrollment, descriptor: enrollment.descriptor, quality: enrollment.quality.score }];
  }
  const pool = await listEnrollments(db, { orgId: caller.orgId, customerId: body.customerId, now, activeOnly: true });
  if (pool.length === 0) throw new AppError('no_active_enrollments', { param: 'customerId' });
  return pool.map((enrollment) => ({ enrollment, descriptor: enrollment.descriptor, quality: enrollment.quality.score }));
}
