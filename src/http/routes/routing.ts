import { z } from 'zod';
import { CHECKS } from '../../../adapters/types';
import { AppError } from '../../errors/app-error';
import { operationFor } from '../../gateway/capabilities';
import { explainRouting } from '../../gateway/explain';
import { VENDORS, type VendorId } from '../../gateway/providers';
import { findRoutingPolicy, saveRoutingPolicy } from '../../gateway/routing-policies-repo';
import { assertServable, effectivePolicy, OrgPolicyInput, presentPolicy } from '../../gateway/routing-policy';
import type { AppDeps } from '../context';
import { route, type RouteSpec } from '../route';

const oneOf = (what: string, values: readonly string[]) => (issue: { input?: unknown }) =>
  `unknown ${what} ${JSON.stringify(issue.input)}; expected one of ${values.join(', ')}`;

const PROVIDER_CHOICES = ['auto', ...VENDORS] as const;

const ExplainBody = z
  .object({
    check: z.enum(CHECKS, { error: oneOf('check', CHECKS) }),
    /** Input to evaluate conditions against; only field presence and the NIK's province digits are read. */
    input: z.record(z.string(), z.unknown()).optional(),
    provider: z.enum(PROVIDER_CHOICES, { error: oneOf('provider', PROVIDER_CHOICES) }).default('auto'),
  })
  .strict();

async function policyOf(deps: AppDeps, orgId: string) {
  const stored = await findRoutingPolicy(deps.db, orgId);
  return { stored, policy: effectivePolicy(deps.gateway.routing, stored?.policy ?? null) };
}

export function routingRoutes(deps: AppDeps): RouteSpec[] {
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
      body: OrgPolicyInput,
      handler: async ({ caller, body }) => {
        const input = body as OrgPolicyInput;
        assertServable(input);
        const at = deps.now();
        await saveRoutingPolicy(deps.db, caller.orgId, caller.keyId, input, at);
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
        const b = body as z.infer<typeof ExplainBody>;
        const pinned = b.provider === 'auto' ? undefined : (b.provider as VendorId);
        if (pinned && !operationFor(pinned, b.check)) {
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
          { check: b.check, mode: caller.mode, input: b.input ?? {}, pinned },
          deps.now(),
        );
        return {
          status: 200,
          body: {
            object: 'routing_explanation',
            check: b.check,
            livemode: caller.mode === 'live',
            policySource: pinned ? 'pinned' : policy.source,
            allowFailoverAfterUnknown: policy.allowFailoverAfterUnknown,
            ...plan,
          },
        };
      },
    }),
  ];
}
