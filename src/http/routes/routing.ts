import { z } from 'zod';
import { CHECKS } from '../../../adapters/types';
import type { AppDeps } from '../../deps';
import { AppError } from '../../errors/app-error';
import { unknownChoice } from '../../errors/invalid-request';
import { explainRouting } from '../../gateway/explain';
import { providerIdSchema, type Registry } from '../../gateway/registry';
import { findRoutingPolicy, saveRoutingPolicy } from '../../gateway/routing-policies-repo';
import { assertServable, effectivePolicy, orgPolicyInput, presentPolicy, type OrgPolicyInput } from '../../gateway/routing-policy';
import { route, type RouteSpec } from '../route';

const explainBody = (registry: Registry) =>
  z
    .object({
      check: z.enum(CHECKS, { error: unknownChoice('check', CHECKS) }),
      /** Input to evaluate conditions against; only field presence and the NIK's province digits are read. */
      input: z.record(z.string(), z.unknown()).optional(),
      provider: providerIdSchema(registry, ['auto']).default('auto'),
    })
    .strict();

async function policyOf(deps: AppDeps, orgId: string) {
  const stored = await findRoutingPolicy(deps.db, orgId);
  return { stored, policy: effectivePolicy(deps.gateway.routing, stored?.policy ?? null) };
}

export function routingRoutes(deps: AppDeps): RouteSpec[] {
  const { registry } = deps.gateway;
  const ExplainBody = explainBody(registry);
  return [
    /** The org's effective policy: its own checks over the defaults of config/routing.json. */
    route({
      method: 'get',
      path: '/v1/routing/policy',
      scope: 'routing:manage',
      handler: async ({ caller }) => {
        const { stored, policy } = await policyOf(deps, caller.orgId);
        return { status: 200, body: { ...presentPolicy(policy), updatedAt: stored?.updatedAt.toISOString() ?? null } };
      },
    }),
    /** Replaces the org's policy as a whole; checks it leaves out route by the defaults. */
    route({
      method: 'put',
      path: '/v1/routing/policy',
      scope: 'routing:manage',
      body: orgPolicyInput(registry),
      handler: async ({ caller, body }) => {
        const input: OrgPolicyInput = body;
        assertServable(registry, input);
        const at = deps.now();
        await saveRoutingPolicy(deps.db, caller.orgId, caller.keyId, input, at);
        deps.caches.policies.deleteWhere((_policy, orgId) => orgId === caller.orgId);
        deps.logger.info({ audit: 'routing_policy_changed', orgId: caller.orgId, keyId: caller.keyId }, 'routing policy changed');
        return { status: 200, body: { ...presentPolicy(effectivePolicy(deps.gateway.routing, input)), updatedAt: at.toISOString() } };
      },
    }),
    /** Which providers a verification would try now, in which order, and why the others would be skipped. */
    route({
      method: 'post',
      path: '/v1/routing/explain',
      scope: 'routing:manage',
      body: ExplainBody,
      handler: async ({ caller, body }) => {
        const b = body;
        const pinned = b.provider === 'auto' ? undefined : b.provider;
        if (pinned && !registry.operationFor(pinned, b.check)) {
          throw new AppError('invalid_request', {
            params: { detail: `provider ${pinned} cannot serve check ${b.check}` },
            param: 'provider',
          });
        }
        const { policy } = await policyOf(deps, caller.orgId);
        const plan = await explainRouting(
          deps.gateway,
          deps.providers,
          policy,
          { check: b.check, keyMode: caller.keyMode, input: b.input ?? {}, pinned },
          deps.now(),
        );
        return {
          status: 200,
          body: {
            object: 'routing_explanation',
            check: b.check,
            livemode: caller.keyMode === 'live',
            policySource: pinned ? 'pinned' : policy.source,
            allowFailoverAfterUnknown: policy.allowFailoverAfterUnknown,
            ...plan,
          },
        };
      },
    }),
  ];
}
