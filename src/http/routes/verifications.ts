import { z } from 'zod';
import { CHECKS } from '../../../adapters/types';
import type { AppDeps } from '../../deps';
import { AppError } from '../../errors/app-error';
import { unknownChoice } from '../../errors/invalid-request';
import { providerIdSchema, type Registry } from '../../gateway/registry';
import { presentVerification } from '../../verifications/present';
import { acceptVerification } from '../../verifications/accept-verification';
import { runVerification, type VerificationResult } from '../../verifications/run-verification';
import { attemptsOf, findVerification, listVerifications, type Verification } from '../../verifications/verifications-repo';
import { idempotencyKeyOf, requestHash } from '../idempotency';
import { route, type Reply, type RouteSpec } from '../route';

const createVerification = (registry: Registry) =>
  z
    .object({
      customerId: z.string().regex(/^cus_\w+$/, 'must be a customer id (cus_...)'),
      check: z.enum(CHECKS, { error: unknownChoice('check', CHECKS) }),
      /** Validated against the check's own schema once the check is known. */
      input: z.record(z.string(), z.unknown()),
      provider: providerIdSchema(registry, ['auto']).default('auto'),
      /** `sync`: the answer comes in the response. `async`: 202 at once, the answer by GET and `verification.completed`. */
      mode: z.enum(['sync', 'async'], { error: unknownChoice('mode', ['sync', 'async']) }).default('sync'),
    })
    .strict();

const STATUSES = ['processing', 'passed', 'failed', 'requires_review', 'not_found', 'pending', 'expired', 'cancelled', 'error'] as const;

const ListQuery = z
  .object({
    customerId: z
      .string()
      .regex(/^cus_\w+$/)
      .optional(),
    status: z.enum(STATUSES, { error: unknownChoice('status', STATUSES) }).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    startingAfter: z
      .string()
      .regex(/^ver_\w+$/)
      .optional(),
  })
  .strict();

/** An accepted asynchronous verification: 202, `processing`, and where to read it. */
export const acceptedReply = (verification: Verification): Reply => ({
  status: 202,
  body: presentVerification(verification, []),
  headers: { Location: `/v1/verifications/${verification.id}` },
});

/** A finished verification as POST answers it: 200, with the provider that answered and the attempts made. */
export const verificationReply = ({ verification, attempts }: VerificationResult): Reply => ({
  status: 200,
  body: presentVerification(verification, attempts),
  headers: { 'Verigate-Provider': verification.provider ?? '', 'Verigate-Attempts': String(attempts.length) },
});

export function verificationRoutes(deps: AppDeps): RouteSpec[] {
  const { registry } = deps.gateway;
  const CreateVerification = createVerification(registry);
  return [
    /**
     * Runs a check now (`mode: "sync"`), or accepts it for a worker (`mode: "async"`: 202). Each upstream call is written ahead of being made (the first with the verification
     * and the Idempotency-Key's claim); its answer, the ending and the idempotent reply commit together.
     */
    route({
      method: 'post',
      path: '/v1/verifications',
      scope: 'verifications:write',
      paidVendorCalls: true,
      // Taken once the body is valid, before the first write: a malformed request costs no slot.
      rateLimit: () => 'verifications.create',
      body: CreateVerification,
      idempotencyClaim: 'in_first_write',
      handler: async ({ caller, body, req, unitOfWork }) => {
        const key = idempotencyKeyOf(req);
        const request = {
          customerId: body.customerId,
          check: body.check,
          input: body.input,
          provider: body.provider === 'auto' ? undefined : body.provider,
          idempotency: key ? { key, requestHash: requestHash(req) } : undefined,
        };
        if (body.mode === 'async') return acceptedReply(await acceptVerification(deps, caller, request, unitOfWork(acceptedReply)));
        return verificationReply(await runVerification(deps, caller, request, unitOfWork(verificationReply)));
      },
    }),
    route({
      method: 'get',
      path: '/v1/verifications/:id',
      scope: 'verifications:view',
      handler: async ({ caller, params }) => {
        const verification = await findVerification(deps.db, caller.orgId, params.id as string);
        if (!verification) throw new AppError('resource_not_found', { params: { resource: 'verification' }, param: 'id' });
        return { status: 200, body: presentVerification(verification, await attemptsOf(deps.db, [verification.id])) };
      },
    }),
    route({
      method: 'get',
      path: '/v1/verifications',
      scope: 'verifications:view',
      query: ListQuery,
      handler: async ({ caller, query }) => {
        const q = query as z.infer<typeof ListQuery>;
        const page = await listVerifications(deps.db, caller.orgId, {
          customerId: q.customerId,
          status: q.status,
          after: q.startingAfter,
          limit: q.limit + 1,
        });
        const shown = page.slice(0, q.limit);
        const attempts = await attemptsOf(
          deps.db,
          shown.map((v) => v.id),
        );
        const data = shown.map((v) =>
          presentVerification(
            v,
            attempts.filter((a) => a.verificationId === v.id),
          ),
        );
        const hasMore = page.length > q.limit;
        return { status: 200, body: { object: 'list', data, hasMore, nextCursor: hasMore ? (data.at(-1)?.id ?? null) : null } };
      },
    }),
  ];
}
