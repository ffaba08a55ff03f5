import { z } from 'zod';
import { requireCustomer } from '../../customers/require-customer';
import { kycStatus } from '../../kyc/kyc-status';
import { TIERS } from '../../kyc/kyc-tiers';
import { overrideKycTier } from '../../kyc/override-kyc-tier';
import { listOverrides, type KycOverride } from '../../kyc/overrides-repo';
import { presentKycStatus, presentOverride } from '../../kyc/present';
import type { AppDeps, Caller } from '../../deps';
import { route, type Reply, type RouteSpec } from '../route';

const OverrideBody = z
  .object({
    tier: z.enum(TIERS),
    // The 20-character minimum is checked by the use case (src/kyc/override-rule.ts): it has its own error
    // (`reason too short`), which a zod `.min()` would turn into the generic invalid_request.
    reason: z.string().max(2000),
    /** The analyst's name, for the audit; the API key is recorded either way. */
    analyst: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

/** Customer KYC tiers (DESIGN 9): derived eligibility, analyst overrides and their audit trail. */
export function kycRoutes(deps: AppDeps): RouteSpec[] {
  const view = (caller: Caller) => ({ keyMode: caller.keyMode, registry: deps.gateway.registry });
  return [
    route({
      method: 'get',
      path: '/v1/customers/:id/kyc',
      scope: 'kyc:view',
      handler: async ({ caller, params }) => {
        const id = params.id as string;
        await requireCustomer(deps.db, caller.orgId, id, 'id');
        return { status: 200, body: presentKycStatus(id, await kycStatus(deps.db, caller.orgId, id, view(caller))) };
      },
    }),
    route({
      method: 'post',
      path: '/v1/customers/:id/kyc/override',
      scope: 'kyc:write',
      body: OverrideBody,
      handler: async ({ caller, params, body, commit }) => {
        const reply = (override: KycOverride): Reply => ({ status: 201, body: presentOverride(override) });
        return reply(await overrideKycTier(deps, caller, params.id as string, body, commit(reply)));
      },
    }),
    route({
      method: 'get',
      path: '/v1/customers/:id/kyc/overrides',
      scope: 'kyc:view',
      handler: async ({ caller, params }) => {
        const id = params.id as string;
        await requireCustomer(deps.db, caller.orgId, id, 'id');
        const overrides = await listOverrides(deps.db, caller.orgId, id, view(caller));
        return { status: 200, body: { object: 'list', data: overrides.map(presentOverride), hasMore: false } };
      },
    }),
  ];
}
