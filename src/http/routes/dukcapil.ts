import { withReferencePhotoSink, type IdSelfieData } from '../../../adapters/accuauth';
import { findCustomer } from '../../customers/customers-repo';
import { DukcapilRequest, identitySelfieInput, SELFIE_MAX_BASE64_CHARS } from '../../dukcapil/dukcapil-request';
import { assertOrgCapability } from '../../dukcapil/org-capability';
import { presentDukcapilVerdict } from '../../dukcapil/present';
import { planReferenceEnrollment } from '../../dukcapil/reference-enrollment';
import { AppError } from '../../errors/app-error';
import { insertEnrollment } from '../../faces/enrollments-repo';
import { chainError, runVerification } from '../../verifications/run-verification';
import { attemptsOf, completeVerification, findVerification, type Verification } from '../../verifications/verifications-repo';
import type { AppDeps } from '../context';
import { idempotencyKeyOf, requestHash } from '../idempotency';
import { route, type RouteSpec } from '../route';
import { presentAttempt } from './verifications';

/**
 * `POST /v1/nik/dukcapil` (DESIGN 9, seed 000): a NIK + selfie check against the population registry, for
 * orgs granted the `dukcapil` capability. It runs as an `identity_selfie` verification pinned to AccuAuth,
 * the registry-backed vendor: pinned, so a Dukcapil answer never comes from the registry-less in-house
 * engine; a verification, so it gets the breaker, the charge-aware ledger row, resumption under its
 * Idempotency-Key, and counts for KYC tiers like any registry identity_selfie.
 */
export function dukcapilRoutes(deps: AppDeps): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/v1/nik/dukcapil',
      scope: 'verifications:write',
      // Two images at AccuAuth's limit plus the text fields: anything larger is refused before it is read.
      bodyLimitBytes: 2 * SELFIE_MAX_BASE64_CHARS + 16 * 1024,
      // No `body` schema on purpose: the capability is checked before the body, so an org without it
      // hears the seed's 403 whatever it sent.
      handler: async ({ caller, req, transaction }) => {
        await assertOrgCapability(deps.db, caller.orgId, 'dukcapil');
        const body = DukcapilRequest.parse(req.body);
        if (!(await findCustomer(deps.db, caller.orgId, body.customerId))) {
          throw new AppError('resource_not_found', { params: { resource: 'customer' }, param: 'customerId' });
        }
        const key = idempotencyKeyOf(req);
        const idempotency = key ? { key, requestHash: requestHash(req) } : undefined;

        // The registry photo reaches this request only through the adapter's sink scope: it is in no
        // attempt row, verification result, stored reply or log (adapters/accuauth/reference-photo-sink.ts).
        const received: { photo?: string } = {};
        const run = await withReferencePhotoSink(
          (photo) => (received.photo = photo),
          () =>
            runVerification(deps, caller, {
              customerId: body.customerId,
              check: 'identity_selfie',
              input: identitySelfieInput(body),
              provider: 'accuauth',
              idempotency,
            }),
        );
        if (!run.chain.answer) {
          await completeVerification(deps.db, run.verificationId, run.completion);
          throw chainError(run, presentAttempt);
        }
        // Face work before the transaction: detection must not hold one open.
        const plan = await planReferenceEnrollment(deps, caller, {
          customerId: body.customerId,
          verificationId: run.verificationId,
          status: run.completion.status,
          data: (run.completion.result ?? null) as IdSelfieData | null,
          photo: received.photo,
        });
        delete received.photo;

        return transaction(async (tx) => {
          await completeVerification(tx, run.verificationId, run.completion);
          const enrollment = plan.enrollment ? (await insertEnrollment(tx, plan.enrollment)).enrollment : null;
          const verification = (await findVerification(tx, caller.orgId, run.verificationId)) as Verification;
          const attempts = await attemptsOf(tx, [run.verificationId]);
          return {
            status: 200,
            body: presentDukcapilVerdict(verification, body, plan.outcome, enrollment, attempts.map(presentAttempt)),
            headers: { 'Verigate-Provider': run.completion.provider ?? '', 'Verigate-Attempts': String(attempts.length) },
          };
        });
      },
    }),
  ];
}
