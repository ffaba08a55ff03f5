import { z } from 'zod';
import { CHECKS, type Check } from '../../adapters/types';
import { AppError } from '../errors/app-error';
import { operationFor } from './capabilities';
import { acceptsInput } from './check-inputs';
import { VENDORS, type VendorId } from './providers';
import type { Skip } from '../verifications/verifications-repo';
import type { Candidate, RoutingPolicy } from './routing';

const oneOf = (what: string, values: readonly string[]) => (issue: { input?: unknown }) =>
  `unknown ${what} ${JSON.stringify(issue.input)}; expected one of ${values.join(', ')}`;

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

export const RouteEntry = z
  .object({
    provider: z.enum(VENDORS as [VendorId, ...VendorId[]], { error: oneOf('provider', VENDORS) }),
    /** Lower goes first; providers sharing a priority are ordered by weight. Default: the entry's position (1-based). */
    priority: z.number().int().min(1).max(100).optional(),
    /** Relative share of first place among providers of equal priority (default 1). */
    weight: z.number().min(0.01).max(1000).default(1),
    /** The provider is a candidate only when this holds for the input. */
    when: Condition.optional(),
  })
  .strict();

const checkShape = Object.fromEntries(CHECKS.map((c) => [c, z.array(RouteEntry).min(1).max(10).optional()])) as Record<
  Check,
  z.ZodOptional<z.ZodArray<typeof RouteEntry>>
>;

/** An org's policy as PUT takes it: checks it leaves out keep the defaults of config/routing.json. */
export const OrgPolicyInput = z
  .object({
    /** May the next provider be tried after an attempt whose charge is unknown? Default: config/routing.json. */
    allowFailoverAfterUnknown: z.boolean().optional(),
    checks: z.object(checkShape).strict(),
  })
  .strict();
export type OrgPolicyInput = z.infer<typeof OrgPolicyInput>;

export interface Route {
  provider: VendorId;
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
export function assertServable(input: OrgPolicyInput): void {
  for (const check of CHECKS) {
    const routes = input.checks[check] ?? [];
    routes.forEach((r, i) => {
      const param = `checks.${check}.${i}.provider`;
      if (!operationFor(r.provider, check)) {
        throw new AppError('invalid_request', { params: { detail: `provider ${r.provider} cannot serve check ${check}` }, param });
      }
      if (routes.findIndex((o) => o.provider === r.provider) !== i) {
        throw new AppError('invalid_request', { params: { detail: `provider ${r.provider} is listed twice for ${check}` }, param });
      }
    });
  }
}

/** The defaults as routes: each listed provider at its position's priority, weight 1, no condition. */
const defaultRoutes = (providers: readonly VendorId[]): Route[] =>
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
 * only providers whose input shape the input has (check-inputs.ts). Routes left out come back as skips
 * (`condition_not_met`, `input_not_accepted`), so a verification nobody could take says why.
 */
export function orgCandidates(
  policy: EffectivePolicy,
  check: Check,
  input: unknown,
  pinned?: VendorId,
  random?: () => number,
): { candidates: Candidate[]; excluded: (Skip & { suiteCode: string })[] } {
  const planned = pinned ? [{ provider: pinned, excluded: null }] : planRoutes(policy, check, input, random);
  const candidates: Candidate[] = [];
  const excluded: (Skip & { suiteCode: string })[] = [];
  for (const { provider, excluded: unmet } of planned) {
    const operation = operationFor(provider, check);
    if (!operation) continue;
    if (unmet) excluded.push({ provider, reason: 'condition_not_met', suiteCode: 'provider_unavailable' });
    else if (!acceptsInput(check, provider, input)) excluded.push({ provider, reason: 'input_not_accepted', suiteCode: 'invalid_request' });
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
