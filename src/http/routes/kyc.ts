import { z } from 'zod';
import { findCustomer } from '../../customers/customers-repo';
import { AppError } from '../../errors/app-error';
import { kycStatus } from '../../kyc/kyc-status';
import { TIERS, tierRank } from '../../kyc/kyc-tiers';
import { insertOverride, listOverrides, lockCustomer } from '../../kyc/overrides-repo';
import { presentKycStatus, presentOverride } from '../../kyc/present';
import type { Queryable } from '../../store/db';
import type { AppDeps, Caller } from '../context';
import { route, type RouteSpec } from '../route';

/** Seed 000: an analyst override needs a reason of at least 20 characters (after trimming). */
const MIN_REASON_CHARS = 20;

const OverrideBody = z
  .object({
    tier: z.enum(TIERS),
    // The 20-character minimum is checked in the handler: it has its own error (`reason too short`),
    // which a zod `.min()` would turn into the generic invalid_request.
    reason: z.string().max(2000),
    /** The analyst's name, for the audit; the API key is recorded either way. */
    analyst: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

const view = (caller: Caller) => ({ mode: caller.mode });

async function requireCustomer(db: Queryable, caller: Caller, id: string): Promise<void> {
  if (!(await findCustomer(db, caller.orgId, id))) {
    throw new AppError('resource_not_found', { params: { resource: 'customer' }, param: 'id' });
  }
}

/** Customer KYC tiers (DESIGN 9): derived eligibility, analyst overrides and their audit trail. */
export function kycRoutes(deps: AppDeps): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/v1/customers/:id/kyc',
      scope: 'kyc:view',
      handler: async ({ caller, params }) => {
        const id = params.id as string;
        await requireCustomer(deps.db, caller, id);
        return { status: 200, body: presentKycStatus(id, await kycStatus(deps.db, caller.orgId, id, view(caller))) };
      },
    }),
    route({
      method: 'post',
      path: '/v1/customers/:id/kyc/override',
      scope: 'kyc:write',
      body: OverrideBody,
      handler: ({ caller, params, body, transaction }) => {
        const id = params.id as string;
        const reason = body.reason.trim();
        return transaction(async (tx) => {
          if (!(await lockCustomer(tx, caller.orgId, id))) {
            throw new AppError('resource_not_found', { params: { resource: 'customer' }, param: 'id' });
          }
          if (reason.length < MIN_REASON_CHARS) throw new AppError('reason_too_short', { param: 'reason' });
          const status = await kycStatus(tx, caller.orgId, id, view(caller));
          const eligible = status.eligibility.tier;
          // Lowering is always allowed (a restriction on suspicion). Raising goes one tier at a time past the
          // evidence, or past the tier an earlier override set: seed 000's "upgrade in two steps with reasons
          // each", so every tier granted without evidence has its own audited reason.
          const from = tierRank(status.tier) > tierRank(eligible) ? status.tier : eligible;
          if (tierRank(body.tier) > tierRank(from) + 1) {
            throw new AppError('tier_upgrade_too_far', { param: 'tier', details: { eligibleTier: eligible, requestedTier: body.tier } });
          }
          const override = await insertOverride(tx, {
            orgId: caller.orgId,
            customerId: id,
            fromTier: status.tier,
            toTier: body.tier,
            eligibleTier: eligible,
            reason,
            keyId: caller.keyId,
            analyst: body.analyst ?? null,
            sandbox: caller.mode === 'test',
            createdAt: deps.now(),
          });
          return { status: 201, body: presentOverride(override) };
        });
      },
    }),
    route({
      method: 'get',
      path: '/v1/customers/:id/kyc/overrides',
      scope: 'kyc:view',
      handler: async ({ caller, params }) => {
        const id = params.id as string;
        await requireCustomer(deps.db, caller, id);
        const overrides = await listOverrides(deps.db, caller.orgId, id, view(caller));
        return { status: 200, body: { object: 'list', data: overrides.map(presentOverride), hasMore: false } };
      },
    }),
  ];
}
