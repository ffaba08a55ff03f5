import { z } from 'zod';
import { CHECKS, type Check, type PreparedCall, type ProviderId } from '../../adapters/types';
import { AppError } from '../errors/app-error';
import type { CodedSkip } from './attempt';
import { providerIdSchema, type Registry } from './registry';
import type { Candidate, RoutingPolicy } from './routing';

/**
 * When a route applies, as a small closed language over the check's input: every clause given must
 * hold. Kept to facts the gateway already validated (field presence, the NIK's province digits), so a
 * condition can never reach into free text or make routing depend on personal data beyond the region.
 */
export const Condition = z
  .object({
    /** Input fields that must be present and non-empty (e.g. `["ktpImage"]`). */
    inputHas: z
      .array(z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,39}$/, 'must be an input field name'))
      .min(1)
      .max(10)
      .optional(),
    /** The first two digits of `input.idNumber` (the NIK's province code) must be one of these. */
    nikProvinceIn: z
      .array(z.string().regex(/^\d{2}$/, 'must be a 2-digit province code'))
      .min(1)
      .max(50)
      .optional(),
  })
  .strict()
  .refine((c) => c.inputHas !== undefined || c.nikProvinceIn !== undefined, 'a condition needs inputHas or nikProvinceIn');
export type Condition = z.infer<typeof Condition>;

const routeEntry = (provider: z.ZodType<ProviderId>) =>
  z
    .object({
      provider,
      /** Lower goes first; providers sharing a priority are ordered by weight. Default: the entry's position (1-based). */
      priority: z.number().int().min(1).max(100).optional(),
      /** Relative share of first place among providers of equal priority (default 1). */
      weight: z.number().min(0.01).max(1000).default(1),
      /** The provider is a candidate only when this holds for the input. */
      when: Condition.optional(),
    })
    .strict();

const policySchema = (provider: z.ZodType<ProviderId>) => {
  const routes = z.array(routeEntry(provider)).min(1).max(10).optional();
  return z
    .object({
      /** May the next provider be tried after an attempt whose charge is unknown? Default: config/routing.json. */
      allowFailoverAfterUnknown: z.boolean().optional(),
      checks: z.object(Object.fromEntries(CHECKS.map((c) => [c, routes])) as Record<Check, typeof routes>).strict(),
    })
    .strict();
};

/** An org's policy as stored: checks it leaves out keep the defaults of config/routing.json. */
export const OrgPolicyInput = policySchema(z.string());
export type OrgPolicyInput = z.infer<typeof OrgPolicyInput>;

/** The policy as PUT takes it: every provider one that is declared. */
export const orgPolicyInput = (registry: Registry) => policySchema(providerIdSchema(registry));

export interface Route {
  provider: ProviderId;
  priority: number;
  weight: number;
  when?: Condition;
}

/** The policy a verification of the org routes by: its own checks over the defaults. */
export interface EffectivePolicy {
  source: 'org' | 'default';
  allowFailoverAfterUnknown: boolean;
  checks: Partial<Record<Check, Route[]>>;
}

/**
 * Checks what the schema cannot: a provider listed twice for a check, or listed for a check its adapter
 * has no operation for. Both are the caller's mistake, so a 400 naming the field.
 */
export function assertServable(registry: Registry, input: OrgPolicyInput): void {
  for (const check of CHECKS) {
    const routes = input.checks[check] ?? [];
    routes.forEach((r, i) => {
      const param = `checks.${check}.${i}.provider`;
      if (!registry.operationFor(r.provider, check)) {
        throw new AppError('invalid_request', { params: { detail: `provider ${r.provider} cannot serve check ${check}` }, param });
      }
      if (routes.findIndex((o) => o.provider === r.provider) !== i) {
        throw new AppError('invalid_request', { params: { detail: `provider ${r.provider} is listed twice for ${check}` }, param });
      }
    });
  }
}

/** The defaults as routes: each listed provider at its position's priority, weight 1, no condition. */
const defaultRoutes = (providers: readonly ProviderId[]): Route[] =>
  providers.map((provider, i) => ({ provider, priority: i + 1, weight: 1 }));

export function effectivePolicy(defaults: RoutingPolicy, stored: OrgPolicyInput | null): EffectivePolicy {
  const checks: Partial<Record<Check, Route[]>> = {};
  for (const check of CHECKS) {
    const own = stored?.checks[check];
    checks[check] = own
      ? own.map((r, i) => ({ provider: r.provider, priority: r.priority ?? i + 1, weight: r.weight, ...(r.when && { when: r.when }) }))
      : defaultRoutes(defaults.checks[check] ?? []);
  }
  return {
    source: stored ? 'org' : 'default',
    allowFailoverAfterUnknown: stored?.allowFailoverAfterUnknown ?? defaults.allowFailoverAfterUnknown,
    checks,
  };
}

/** Which clause of the condition the input fails, or null when it holds. */
export function unmetClause(when: Condition | undefined, input: unknown): string | null {
  if (!when) return null;
  const fields = (input ?? {}) as Record<string, unknown>;
  for (const field of when.inputHas ?? []) {
    const value = fields[field];
    if (value === undefined || value === null || value === '') return `input.${field} is absent`;
  }
  if (when.nikProvinceIn) {
    const nik = fields.idNumber;
    // Only the province digits are named in the reason: the NIK itself never leaves the request.
    if (typeof nik !== 'string' || !when.nikProvinceIn.includes(nik.slice(0, 2))) return 'NIK province not in nikProvinceIn';
  }
  return null;
}

export interface PlannedRoute extends Route {
  /** Null when the route is a candidate; otherwise why it is not. */
  excluded: string | null;
}

/**
 * The routes of a check in the order they would be tried: by priority, and among equal priorities a
 * weighted random order (each next place drawn with probability proportional to weight, the
 * Efraimidis-Spirakis key u^(1/w)), so weights spread first place without ever dropping a fallback.
 * Routes whose condition fails stay in the list, marked, for explain.
 */
export function planRoutes(policy: EffectivePolicy, check: Check, input: unknown, random: () => number = Math.random): PlannedRoute[] {
  const keyed = (policy.checks[check] ?? []).map((r) => ({ r, key: Math.pow(random(), 1 / r.weight) }));
  keyed.sort((a, b) => a.r.priority - b.r.priority || b.key - a.key);
  return keyed.map(({ r }) => {
    const unmet = unmetClause(r.when, input);
    return { ...r, excluded: unmet && `condition_not_met: ${unmet}` };
  });
}

/**
 * The candidates of one verification: a pinned provider alone (the caller's explicit choice, so the
 * org's order and conditions do not apply), else the planned routes whose conditions hold; in both cases
 * only providers whose operation takes the input (its declared schema). Routes left out come back as skips
 * (`condition_not_met`, `input_not_accepted`), so a verification nobody could take says why.
 */
export function orgCandidates(
  registry: Registry,
  policy: EffectivePolicy,
  check: Check,
  input: unknown,
  pinned?: ProviderId,
  random?: () => number,
  /** The input as each provider's operation already read it (a verification reads it once); else read here. */
  reads?: ReadonlyMap<ProviderId, PreparedCall | null>,
): { candidates: Candidate[]; excluded: CodedSkip[] } {
  const planned = pinned ? [{ provider: pinned, excluded: null }] : planRoutes(policy, check, input, random);
  const candidates: Candidate[] = [];
  const excluded: CodedSkip[] = [];
  for (const { provider, excluded: unmet } of planned) {
    // Also undefined for a provider a stored policy names that is no longer declared.
    const operation = registry.operationFor(provider, check);
    if (operation === undefined) continue;
    if (unmet) excluded.push({ provider, reason: 'condition_not_met', suiteCode: 'provider_unavailable' });
    else if (!registry.acceptsInput(check, provider, input))
      excluded.push({ provider, reason: 'input_not_accepted', suiteCode: 'invalid_request' });
    else candidates.push({ provider, operation });
  }
  return { candidates, excluded };
}

/** The stored form of an effective policy, as GET answers it. */
export function presentPolicy(policy: EffectivePolicy) {
  return {
    object: 'routing_policy',
    source: policy.source,
    allowFailoverAfterUnknown: policy.allowFailoverAfterUnknown,
    checks: policy.checks,
  };
}
