import { z } from 'zod';
import type { AppDeps } from '../../deps';
import { listOperatorAudit, type OperatorAudit } from '../../ops/operator-audit';
import {
  createOrgAudited,
  drainProvider,
  endCooldown,
  issueOrgKey,
  revokeOrgKey,
  resetBreaker,
  resolveChargeAudited,
  restoreProvider,
  setCapabilities,
  setSpendCap,
  type Operator,
} from '../../ops/operator-actions';
import { KEY_MODES } from '../../tenancy/key-mode';
import { findOrg, listOrgs, type Org } from '../../tenancy/orgs-repo';
import { listKeys } from '../../tenancy/keys-repo';
import { AppError } from '../../errors/app-error';
import { presentIssued, presentKey } from './keys';
import { Capability, Scope, SCOPES } from '../../tenancy/scopes';
import { route, type RouteSpec } from '../route';
import { describeProviders, providerParam } from './providers';
import { usage } from '../../ledger/ledger-repo';
import { usageByOrg } from '../../finance/usage-by-org';
import { listCapturesForReview, type CaptureBundle } from '../../engine/captures-repo';
import { EntriesQuery, entriesPage, presentEntry, ResolveBody, usagePeriod, UsagePeriodQuery } from './usage';

/** Operators say why: the reason is the audit row's, in their own words. */
const reason = z.string().trim().min(10, 'at least 10 characters').max(500);
const ProviderAction = z.object({ reason }).strict();
const ModeAction = z.object({ reason, mode: z.enum(KEY_MODES).optional() }).strict();
const CreateOrg = z
  .object({ name: z.string().trim().min(1).max(200), capabilities: z.array(Capability).max(10).default([]), reason })
  .strict();
const SetCapabilities = z.object({ capabilities: z.array(Capability).max(10), reason }).strict();
const IssueOrgKey = z
  .object({ name: z.string().trim().min(1).max(100), mode: z.enum(KEY_MODES), scopes: z.array(Scope).min(1).max(SCOPES.length), reason })
  .strict();
const RevokeOrgKey = z.object({ reason }).strict();
/** In whole or fractional rupiah per UTC day; null removes the cap. */
const SetSpendCap = z.object({ dailyIdr: z.number().min(0).max(1e12).nullable(), reason }).strict();
const OpsUsageQuery = UsagePeriodQuery.omit({ format: true });
const ReviewQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }).strict();
const AuditQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(200).default(50), target: z.string().max(100).optional() })
  .strict();

/**
 * What an operator can do to a provider, by path: drain (out of routing on every instance, both key modes,
 * every org, until restored), restore, end an account-health cooldown before it runs out (the account was
 * fixed), reset the breakers of the instance that answers (breakers are per instance).
 */
const PROVIDER_ACTIONS = [
  ['drain', ProviderAction, drainProvider],
  ['restore', ProviderAction, restoreProvider],
  ['end-cooldown', ModeAction, endCooldown],
  ['reset-breaker', ModeAction, resetBreaker],
] as const;

const presentAudit = (a: OperatorAudit) => ({
  id: a.id,
  object: 'operator_audit',
  operatorKeyId: a.operatorKeyId,
  action: a.action,
  target: a.target,
  reason: a.reason,
  detail: a.detail,
  at: a.at.toISOString(),
});
/** A capture awaiting review: its verdicts and every voter's, never frames, faces or the customer's data. */
const presentReview = (c: CaptureBundle) => ({
  id: c.id,
  object: 'capture_review',
  orgId: c.orgId,
  customerId: c.customerId,
  kind: c.kind,
  status: c.status,
  antiSpoof: c.antiSpoof,
  tamper: c.tamper,
  createdAt: c.createdAt.toISOString(),
});
const presentOrg = (o: Org) => ({
  id: o.id,
  object: 'org',
  name: o.name,
  capabilities: o.capabilities,
  dailySpendCap: o.dailySpendCap,
  createdAt: o.createdAt.toISOString(),
});

/**
 * What only operators do, with an operator key (`operator: true`): the global provider view, drains,
 * restores, ending cooldowns, breaker resets, and orgs. Every action is audited (operator_audit) with the
 * operator key, time and reason, and announced through deps.ops.
 */
export function operatorRoutes(deps: AppDeps): RouteSpec[] {
  const operatorOf = (o: Operator | undefined): Operator => o as Operator;
  const providerAfter = async (id: string) => (await describeProviders(deps, true)).find((p) => p.id === id);
  const acted = async (provider: string, audit: OperatorAudit) => ({
    status: 200,
    body: { provider: await providerAfter(provider), audit: presentAudit(audit) },
  });
  return [
    route({
      method: 'get',
      path: '/v1/ops/providers',
      operator: true,
      handler: async () => ({ status: 200, body: { object: 'list', data: await describeProviders(deps, true) } }),
    }),
    ...PROVIDER_ACTIONS.map(([action, body, act]) =>
      route({
        method: 'post',
        path: `/v1/ops/providers/:id/${action}`,
        operator: true,
        body,
        handler: async ({ operator, params, body: b }) => {
          const provider = providerParam(deps, params.id);
          const { reason, mode } = b as z.infer<typeof ModeAction>;
          return acted(provider, (await act(deps, operatorOf(operator), provider, reason, mode)).audit);
        },
      }),
    ),
    route({
      method: 'get',
      path: '/v1/ops/orgs',
      operator: true,
      handler: async () => ({ status: 200, body: { object: 'list', data: (await listOrgs(deps.db)).map(presentOrg) } }),
    }),
    route({
      method: 'post',
      path: '/v1/ops/orgs',
      operator: true,
      body: CreateOrg,
      handler: async ({ operator, body }) => {
        const { value, audit } = await createOrgAudited(
          deps,
          operatorOf(operator),
          { name: body.name, capabilities: body.capabilities },
          body.reason,
        );
        return { status: 201, body: { ...presentOrg(value), audit: presentAudit(audit) } };
      },
    }),
    route({
      method: 'get',
      path: '/v1/ops/orgs/:id/keys',
      operator: true,
      handler: async ({ params }) => {
        const orgId = params.id as string;
        if (!(await findOrg(deps.db, orgId))) throw new AppError('resource_not_found', { params: { resource: 'org' }, param: 'id' });
        return { status: 200, body: { object: 'list', data: (await listKeys(deps.db, orgId)).map(presentKey) } };
      },
    }),
    /** An org's key issued by an operator (its first, for an org created here): the secret and hmacKey in this answer only. */
    route({
      method: 'post',
      path: '/v1/ops/orgs/:id/keys',
      operator: true,
      body: IssueOrgKey,
      handler: async ({ operator, params, body }) => {
        const { name, mode, scopes } = body;
        const { value, audit } = await issueOrgKey(deps, operatorOf(operator), params.id as string, { name, mode, scopes }, body.reason);
        return { status: 201, body: { ...presentIssued(value), audit: presentAudit(audit) } };
      },
    }),
    route({
      method: 'post',
      path: '/v1/ops/orgs/:id/keys/:keyId/revoke',
      operator: true,
      body: RevokeOrgKey,
      handler: async ({ operator, params, body }) => {
        const { value, audit } = await revokeOrgKey(deps, operatorOf(operator), params.id as string, params.keyId as string, body.reason);
        return { status: 200, body: { ...presentKey(value), audit: presentAudit(audit) } };
      },
    }),
    route({
      method: 'post',
      path: '/v1/ops/orgs/:id/capabilities',
      operator: true,
      body: SetCapabilities,
      handler: async ({ operator, params, body }) => {
        const { value, audit } = await setCapabilities(deps, operatorOf(operator), params.id as string, body.capabilities, body.reason);
        return { status: 200, body: { ...presentOrg(value), audit: presentAudit(audit) } };
      },
    }),
    /** The org's daily spend cap (IDR, UTC days) on its paid routes; null removes it. */
    route({
      method: 'post',
      path: '/v1/ops/orgs/:id/spend-cap',
      operator: true,
      body: SetSpendCap,
      handler: async ({ operator, params, body }) => {
        const { value, audit } = await setSpendCap(deps, operatorOf(operator), params.id as string, body.dailyIdr, body.reason);
        return { status: 200, body: { ...presentOrg(value), audit: presentAudit(audit) } };
      },
    }),
    /** The whole platform's usage by day, provider and check, and by org (finance's view across tenants). */
    route({
      method: 'get',
      path: '/v1/ops/usage',
      operator: true,
      query: OpsUsageQuery,
      handler: async ({ query }) => {
        const { from, to } = usagePeriod(query, deps.now());
        const [data, byOrg] = await Promise.all([usage(deps.db, null, from, to), usageByOrg(deps.db, from, to)]);
        return { status: 200, body: { object: 'list', from: from.toISOString(), to: to.toISOString(), data, byOrg } };
      },
    }),
    /** Every org's ledger rows (`?charged=unknown`: the unknown-charge queue), each naming its org. */
    route({
      method: 'get',
      path: '/v1/ops/usage/entries',
      operator: true,
      query: EntriesQuery,
      handler: async ({ query }) => ({ status: 200, body: await entriesPage(deps, null, query) }),
    }),
    route({
      method: 'post',
      path: '/v1/ops/usage/entries/:id/resolve',
      operator: true,
      body: ResolveBody,
      handler: async ({ operator, params, body }) => {
        const { value, audit } = await resolveChargeAudited(deps, operatorOf(operator), params.id as string, body.charged, body.note);
        return { status: 200, body: { ...presentEntry(value, true), audit: presentAudit(audit) } };
      },
    }),
    /** Captures whose verdict needs a person (requires_review), newest first, with their voters. */
    route({
      method: 'get',
      path: '/v1/ops/reviews',
      operator: true,
      query: ReviewQuery,
      handler: async ({ query }) => ({
        status: 200,
        body: { object: 'list', data: (await listCapturesForReview(deps.db, deps.now(), query.limit)).map(presentReview) },
      }),
    }),
    route({
      method: 'get',
      path: '/v1/ops/audit',
      operator: true,
      query: AuditQuery,
      handler: async ({ query }) => ({
        status: 200,
        body: { object: 'list', data: (await listOperatorAudit(deps.db, query)).map(presentAudit) },
      }),
    }),
  ];
}
