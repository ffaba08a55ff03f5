import { z, ZodError } from 'zod';
import { CHECKS, type Check, type ProviderId } from '../../../adapters/types';
import type { AppDeps } from '../../deps';
import { AppError } from '../../errors/app-error';
import { providerIdSchema, type Registry } from '../../gateway/registry';
import { presentVerification } from '../../verifications/present';
import { runVerification, type VerificationResult } from '../../verifications/run-verification';
import { attemptsOf, findVerification, listVerifications } from '../../verifications/verifications-repo';
import { idempotencyKeyOf, requestHash } from '../idempotency';
import { route, type Reply, type RouteSpec } from '../route';

const oneOf = (what: string, values: readonly string[]) => (issue: { input?: unknown }) =>
  `unknown ${what} ${JSON.stringify(issue.input)}; expected one of ${values.join(', ')}`;

const createVerification = (registry: Registry) =>
  z
    .object({
      customerId: z.string().regex(/^cus_\w+$/, 'must be a customer id (cus_...)'),
      check: z.enum(CHECKS, { error: oneOf('check', CHECKS) }),
      /** Validated against the check's own schema once the check is known. */
      input: z.record(z.string(), z.unknown()),
      provider: providerIdSchema(registry, ['auto']).default('auto'),
      /** Only `sync` so far: the answer comes in the response. */
      mode: z.literal('sync', { error: 'mode must be "sync" (async verifications are not offered yet)' }).default('sync'),
    })
    .strict();

const STATUSES = ['processing', 'passed', 'failed', 'requires_review', 'not_found', 'pending', 'expired', 'cancelled', 'error'] as const;

const ListQuery = z
  .object({
    customerId: z
      .string()
      .regex(/^cus_\w+$/)
      .optional(),
    status: z.enum(STATUSES, { error: oneOf('status', STATUSES) }).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    startingAfter: z
      .string()
      .regex(/^ver_\w+$/)
      .optional(),
  })
  .strict();

/**
 * Checks that a pinned provider serves the check, and the input against the pinned provider's shape or any
 * shape of the check, with any issue reported under `input.` so the integrator sees which field. The input
 * goes on as sent: each provider tried reads it with its own schema.
 */
export function validVerificationInput(registry: Registry, check: Check, input: unknown, pinned?: ProviderId): unknown {
  if (pinned && !registry.operationFor(pinned, check)) {
    throw new AppError('invalid_request', { params: { detail: `provider ${pinned} cannot serve check ${check}` }, param: 'provider' });
  }
  const issues = registry.inputIssues(check, input, pinned);
  if (!issues) return input;
  throw new ZodError(issues.map((i) => ({ ...i, path: ['input', ...i.path] })));
}

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
     * Runs a check now. Upstream calls happen before the final transaction, each attempt and its ledger
     * row committed as it completes; the verification's ending is stored with the idempotent reply.
     */
    route({
      method: 'post',
      path: '/v1/verifications',
      scope: 'verifications:write',
      body: CreateVerification,
      handler: async ({ caller, body, req, commit }) => {
        const pinned = body.provider === 'auto' ? undefined : body.provider;
        const input = validVerificationInput(registry, body.check, body.input, pinned);
        const key = idempotencyKeyOf(req);
        const idempotency = key ? { key, requestHash: requestHash(req) } : undefined;
        const request = { customerId: body.customerId, check: body.check, input, provider: pinned, idempotency };
        return verificationReply(await runVerification(deps, caller, request, commit(verificationReply)));
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
