import { accuauth, withReferencePhotoSink, type IdSelfieData } from '../../adapters/accuauth';
import type { AppDeps, Caller } from '../deps';
import { insertEnrollment, type Enrollment } from '../faces/enrollments-repo';
import type { Attempt } from '../gateway/attempt';
import type { UnitOfWork } from '../store/db';
import { callProviders, refuseUnanswered, type VerificationRequest } from '../verifications/run-verification';
import type { Verification } from '../verifications/verifications-repo';
import { identitySelfieInput, type DukcapilRequest } from './dukcapil-request';
import { planReferenceEnrollment, type ReferencePhotoOutcome } from './reference-enrollment';

/** A Dukcapil verdict: the verification it is a view of, and what became of the registry's photo. */
export interface DukcapilResult {
  verification: Verification;
  attempts: Attempt[];
  referencePhoto: ReferencePhotoOutcome;
  enrollment: Enrollment | null;
}

/**
 * A NIK + selfie check against the population registry (DESIGN 9, seed 000), as an `identity_selfie`
 * verification pinned to AccuAuth, the registry-backed vendor: pinned, so a Dukcapil answer never comes from
 * the registry-less engine; a verification, so it gets the breaker, the charge-aware ledger row, resumption
 * under its Idempotency-Key, and counts for KYC tiers like any registry identity_selfie. A registry photo on a
 * passed verdict becomes a `dukcapil` enrollment, committed with the verdict.
 */
export async function runDukcapilCheck(
  deps: AppDeps,
  caller: Caller,
  request: DukcapilRequest,
  idempotency: VerificationRequest['idempotency'],
  uow: UnitOfWork<DukcapilResult> = { commit: (work) => deps.db.transaction(work) },
): Promise<DukcapilResult> {
  // The registry photo reaches this run only through the adapter's sink scope: it is in no attempt row,
  // verification result, stored reply or log (adapters/accuauth/reference-photo-sink.ts).
  const received: { photo?: string } = {};
  const called = await withReferencePhotoSink(
    (photo) => (received.photo = photo),
    () =>
      callProviders(
        deps,
        caller,
        { customerId: request.customerId, check: 'identity_selfie', input: identitySelfieInput(request), provider: accuauth.id, idempotency },
        uow,
      ),
  );
  await refuseUnanswered(deps, called);
  // Face work before the transaction: detection must not hold one open.
  const plan = await planReferenceEnrollment(deps, caller, {
    customerId: request.customerId,
    verificationId: called.journal.verificationId,
    status: called.completion.status,
    data: (called.completion.result ?? null) as IdSelfieData | null,
    photo: received.photo,
  });
  delete received.photo;
  return called.journal.finishWith(called.completion, uow.commit, async (tx, verification) => ({
    verification,
    attempts: called.chain.attempts,
    referencePhoto: plan.outcome,
    enrollment: plan.enrollment ? (await insertEnrollment(tx, plan.enrollment)).enrollment : null,
  }));
}
