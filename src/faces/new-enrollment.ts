import type { FaceSample } from '../engine/face-analysis/describe';
import type { EngineConfig } from '../engine/engine-config';
import type { NewEnrollment } from './enrollments-repo';

export type EnrollmentRequest = Omit<NewEnrollment, 'descriptor' | 'quality' | 'retainUntil'> & {
  sample: Pick<FaceSample, 'descriptor' | 'quality'>;
};

/**
 * The one rule for every source of references (uploads, capture bundles, KTP portraits, Dukcapil photos):
 * a face under `face.minEnrollmentQuality` is not enrolled (null), and a descriptor is kept for
 * `face.enrollmentRetentionDays` from its enrollment.
 */
export function enrollmentOf(face: EngineConfig['face'], { sample, ...e }: EnrollmentRequest): NewEnrollment | null {
  if (sample.quality.score < face.minEnrollmentQuality) return null;
  return {
    ...e,
    descriptor: sample.descriptor,
    quality: sample.quality,
    retainUntil: new Date(e.createdAt.getTime() + face.enrollmentRetentionDays * 86_400_000),
  };
}
