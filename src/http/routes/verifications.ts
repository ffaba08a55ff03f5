import { z, ZodError } from 'zod';
import { CHECKS, type Check } from '../../../adapters/types';
import { findCustomer } from '../../customers/customers-repo';
import { AppError } from '../../errors/app-error';
import { errorCatalog } from '../../errors/catalog';
import { operationFor } from '../../gateway/capabilities';
import { inputIssues } from '../../gateway/check-inputs';
import { VENDORS, type VendorId } from '../../gateway/providers';
import { chainError, runVerification } from '../../verifications/run-verification';
import {
  attemptsOf,
  completeVerification,
  findVerification,
  listVerifications,
  type Attempt,
  type Verification,
} from '../../verifications/verifications-repo';
import type { AppDeps } from '../context';
import { idempotencyKeyOf, requestHash } from '../idempotency';
import { route, type RouteSpec } from '../route';

const oneOf = (what: string, values: readonly string[]) => (issue: { input?: unknown }) =>
  `unknown ${what} ${JSON.stringify(issue.input)}; expected one of ${values.join(', ')}`;

const PROVIDER_CHOICES = ['auto', ...VENDORS] as const;

const CreateVerification = z
  .object({
    customerId: z.string().regex(/^cus_\w+$/, 'must be a customer id (cus_...)'),
    check: z.enum(CHECKS, { error: oneOf('check', CHECKS) }),
    /** Validated against the check's own schema once the check is known. */
    input: z.record(z.string(), z.unknown()),
    provider: z.enum(PROVIDER_CHOICES, { error: oneOf('provider', PROVIDER_CHOICES) }).default('auto'),
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
 * Checks the input against the pinned provider's shape, or any shape of the check (check-inputs.ts), with
 * any issue reported under `input.` so the integrator sees which field. The input goes on as sent: each
 * provider tried reads it with its own schema.
 */
function checkInput(check: Check, input: unknown, pinned?: VendorId): unknown {
  const issues = inputIssues(check, input, pinned);
  if (!issues) return input;
  throw new ZodError(issues.map((i) => ({ ...i, path: ['input', ...i.path] })));
}

export const presentAttempt = (a: Attempt) => ({
  id: a.id,
  provider: a.provider,
  operation: a.operation,
  suiteCode: a.suiteCode,
  upstream: a.upstream,
  charged: a.charged,
  latencyMs: a.latencyMs,
});

function present(v: Verification, attempts: Attempt[]) {
  const result = v.resultCode
    ? { code: v.resultCode, message: errorCatalog().result(v.resultCode)?.message ?? null, data: v.result }
    : null;
  return {
    id: v.id,
    object: 'verification',
    customerId: v.customerId,
    check: v.check,
    mode: v.mode,
    livemode: !v.sandbox,
    status: v.status,
    provider: v.provider,
    requestedProvider: v.requestedProvider,
    result,
    error: v.errorCode ? { code: v.errorCode } : null,
    attempts: attempts.map(presentAttempt),
    skipped: v.skipped,
    createdAt: v.createdAt.toISOString(),
    completedAt: v.completedAt?.toISOString() ?? null,
  };
}

export function verificationRoutes(deps: AppDeps): RouteSpec[] {
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
      handler: async ({ caller, body, req, transaction }) => {
        const b = body as z.infer<typeof CreateVerification>;
        const pinned = b.provider === 'auto' ? undefined : (b.provider as VendorId);
        if (pinned && !operationFor(pinned, b.check)) {
          throw new AppError('invalid_request', {
            params: { detail: `provider ${pinned} cannot serve check ${b.check}` },
            param: 'provider',
          });
        }
        const input = checkInput(b.check, b.input, pinned);
        if (!(await findCustomer(deps.db, caller.orgId, b.customerId))) {
          throw new AppError('resource_not_found', { params: { resource: 'customer' }, param: 'customerId' });
        }
        const key = idempotencyKeyOf(req);
        const idempotency = key ? { key, requestHash: requestHash(req) } : undefined;
        const run = await runVerification(deps, caller, { customerId: b.customerId, check: b.check, input, provider: pinned, idempotency });
        if (!run.chain.answer) {
          await completeVerification(deps.db, run.verificationId, run.completion);
          throw chainError(run, presentAttempt);
        }
        return transaction(async (tx) => {
          await completeVerification(tx, run.verificationId, run.completion);
          const verification = (await findVerification(tx, caller.orgId, run.verificationId)) as Verification;
          const attempts = await attemptsOf(tx, [run.verificationId]);
          return {
            status: 200,
            body: present(verification, attempts),
            headers: { 'Verigate-Provider': run.completion.provider ?? '', 'Verigate-Attempts': String(attempts.length) },
          };
        });
      },
    }),
    route({
      method: 'get',
      path: '/v1/verifications/:id',
      scope: 'verifications:view',
      handler: async ({ caller, params }) => {
        const verification = await findVerification(deps.db, caller.orgId, params.id as string);
        if (!verification) throw new AppError('resource_not_found', { params: { resource: 'verification' }, param: 'id' });
        return { status: 200, body: present(verification, await attemptsOf(deps.db, [verification.id])) };
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
          present(
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
