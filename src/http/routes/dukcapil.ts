import type { AppDeps } from '../../deps';
import { DukcapilRequest, SELFIE_MAX_BASE64_CHARS } from '../../dukcapil/dukcapil-request';
import { presentDukcapilVerdict } from '../../dukcapil/present';
import { runDukcapilCheck, type DukcapilResult } from '../../dukcapil/run-dukcapil-check';
import { presentAttempt } from '../../verifications/present';
import { idempotencyKeyOf, requestHash } from '../idempotency';
import { route, type Reply, type RouteSpec } from '../route';

/** `POST /v1/nik/dukcapil` (DESIGN 9, seed 000): a NIK + selfie check against the population registry. */
export function dukcapilRoutes(deps: AppDeps): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/v1/nik/dukcapil',
      scope: 'verifications:write',
      // Two images at AccuAuth's limit plus the text fields: anything larger is refused before it is read.
      bodyLimitBytes: 2 * SELFIE_MAX_BASE64_CHARS + 16 * 1024,
      // Checked before the body is read, so an org without it hears the seed's 403 whatever it sent.
      capability: 'dukcapil',
      paidVendorCalls: true,
      rateLimit: () => 'dukcapil.check',
      body: DukcapilRequest,
      idempotencyClaim: 'in_first_write',
      handler: async ({ caller, body, req, unitOfWork }) => {
        const key = idempotencyKeyOf(req);
        const idempotency = key ? { key, requestHash: requestHash(req) } : undefined;
        const reply = (r: DukcapilResult): Reply => ({
          status: 200,
          body: presentDukcapilVerdict(r.verification, body, r.referencePhoto, r.enrollment, r.attempts.map(presentAttempt)),
          headers: { 'Verigate-Provider': r.verification.provider ?? '', 'Verigate-Attempts': String(r.attempts.length) },
        });
        return reply(await runDukcapilCheck(deps, caller, body, idempotency, unitOfWork(reply)));
      },
    }),
  ];
}
