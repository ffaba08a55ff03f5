import type { IdSelfieData } from '../../adapters/accuauth';
import type { FaceSample } from '../engine/face-analysis/describe';
import { isAppError } from '../errors/app-error';
import type { NewEnrollment } from '../faces/enrollments-repo';
import { faceFromUpload } from '../faces/face-input';
import { enrollmentOf } from '../faces/new-enrollment';
import type { AppDeps, Caller } from '../deps';

/**
 * What became of the registry's reference photo, as the verdict reports it (never the photo itself):
 * - `absent`: the answer carried none (the norm: no vendor source documents one, providers.md 4.3);
 * - `enrolled`: it is the customer's new `dukcapil` enrollment;
 * - `rejected`: not base64 or over the size bound (the adapter dropped it);
 * - `verdict_not_passed`: the registry did not confirm the selfie, so the photo is not known to be this customer;
 * - `undecodable`, `no_face`, `low_quality`: the engine could not use it as a reference;
 * - `analysis_unavailable`: the engine's workers failed; the verdict stands without an enrollment;
 * - `not_retained`: a retry resumed a run whose vendor call had already been made; the photo is never stored, so it is gone.
 */
export type ReferencePhotoOutcome =
  | 'absent'
  | 'enrolled'
  | 'rejected'
  | 'verdict_not_passed'
  | 'undecodable'
  | 'no_face'
  | 'low_quality'
  | 'analysis_unavailable'
  | 'not_retained';

export interface ReferencePlan {
  outcome: ReferencePhotoOutcome;
  /** Set when the outcome is `enrolled`: stored in the transaction that stores the verdict. */
  enrollment?: NewEnrollment;
}

export interface ReferenceFacts {
  customerId: string;
  verificationId: string;
  /** The verification's status. */
  status: string;
  /** The adapter's normalised answer (says whether a photo came, never holds it). */
  data: IdSelfieData | null;
  /** The photo the adapter handed to the sink during this run, if any. */
  photo: string | undefined;
}

/**
 * Turns a verdict's reference photo into a `dukcapil` enrollment (seed 000: "ingesting a Dukcapil verdict
 * gives you a clean photo"), our documented assumption. Only a passed verdict enrolls: the registry then
 * confirmed that the selfie is the NIK's holder, so the registry's portrait is this customer's face. The
 * face is found off the event loop in the engine's pool; a photo the engine cannot use costs the
 * enrollment, never the verdict, which was paid for. Nothing here logs the photo.
 */
export async function planReferenceEnrollment(deps: AppDeps, caller: Caller, f: ReferenceFacts): Promise<ReferencePlan> {
  const sent = f.data?.referencePhoto;
  if (sent === undefined) return { outcome: 'absent' };
  if (sent === 'rejected') return { outcome: 'rejected' };
  if (f.status !== 'passed') return { outcome: 'verdict_not_passed' };
  if (f.photo === undefined) return { outcome: 'not_retained' };

  let sample: FaceSample;
  try {
    sample = await faceFromUpload(deps.engine, f.photo, 'referencePhoto');
  } catch (err) {
    const outcome =
      !isAppError(err) || err.code === 'service_unavailable'
        ? 'analysis_unavailable'
        : err.code === 'face_not_found'
          ? 'no_face'
          : 'undecodable';
    // The reason and ids only: the photo, and the error's cause, stay out of the log.
    deps.logger.warn({ verificationId: f.verificationId, outcome }, 'dukcapil reference photo not enrolled');
    return { outcome };
  }
  const enrollment = enrollmentOf(deps.engine.config.face, {
    orgId: caller.orgId,
    customerId: f.customerId,
    source: 'dukcapil',
    verificationId: f.verificationId,
    sample,
    createdAt: deps.now(),
  });
  return enrollment ? { outcome: 'enrolled', enrollment } : { outcome: 'low_quality' };
}
