import type { Check, ProviderId } from '../../adapters/types';
import { isAppError } from '../errors/app-error';
import type { KeyMode } from '../tenancy/key-mode';
import type { Gateway } from './gateway';
import { callContext, type ProvidersConfig } from './providers';
import { planRoutes, type EffectivePolicy } from './routing-policy';

export interface ExplainRequest {
  check: Check;
  keyMode: KeyMode;
  input: unknown;
  pinned?: ProviderId;
}

export interface WouldTry {
  order: number;
  provider: ProviderId;
  operation: string;
  priority: number;
  weight: number;
  /** `half_open` when the breaker would let this call through as its single trial. */
  breaker: 'closed' | 'half_open';
}

export interface Skipped {
  provider: ProviderId;
  /** cannot_serve, not_pinned, not_in_policy, condition_not_met, input_not_accepted, drained, account_<state>, provider_not_configured, breaker_open. */
  reason: string;
  detail?: string;
}

/**
 * A dry run of routing: the same plan a verification would make now (policy order, conditions, drains,
 * cooldowns, credentials, breakers, checked in the order tryCandidate checks them), without calling
 * anyone. Weighted order among equal priorities is one draw, as one verification would draw it.
 */
export async function explainRouting(
  gateway: Gateway,
  providers: ProvidersConfig,
  policy: EffectivePolicy,
  req: ExplainRequest,
  now: Date,
): Promise<{ wouldTry: WouldTry[]; skipped: Skipped[] }> {
  const wouldTry: WouldTry[] = [];
  const skipped: Skipped[] = [];
  const planned = planRoutes(policy, req.check, req.input, gateway.random);
  const listed = new Set(planned.map((r) => r.provider));
  const routes = req.pinned ? [{ provider: req.pinned, priority: 1, weight: 1, excluded: null }] : planned;
  // Explain takes partial inputs (a NIK alone, to try a condition): the input's shape picks providers only
  // when it is one a verification would take, as it then would.
  const { registry } = gateway;
  const judgeShape = registry.inputIssues(req.check, req.input) === null;

  for (const provider of registry.ids) {
    if (!registry.operationFor(provider, req.check))
      skipped.push({ provider, reason: 'cannot_serve', detail: `no operation of ${provider} serves ${req.check}` });
    else if (req.pinned && provider !== req.pinned) skipped.push({ provider, reason: 'not_pinned' });
    else if (!req.pinned && !listed.has(provider)) skipped.push({ provider, reason: 'not_in_policy' });
  }
  for (const route of routes) {
    const operation = registry.operationFor(route.provider, req.check);
    if (!operation) continue; // reported above as cannot_serve
    if (route.excluded) {
      skipped.push({ provider: route.provider, reason: 'condition_not_met', detail: route.excluded.replace(/^condition_not_met: /, '') });
      continue;
    }
    if (judgeShape && !registry.acceptsInput(req.check, route.provider, req.input)) {
      skipped.push({
        provider: route.provider,
        reason: 'input_not_accepted',
        detail: `the input is not of a shape ${route.provider} takes for ${req.check}`,
      });
      continue;
    }
    const blocked = await blockedBy(gateway, providers, req.keyMode, route.provider, now);
    if (blocked) {
      skipped.push({ provider: route.provider, ...blocked });
      continue;
    }
    const state = gateway.breakers.state(req.keyMode, route.provider);
    wouldTry.push({
      order: wouldTry.length + 1,
      provider: route.provider,
      operation,
      priority: route.priority,
      weight: route.weight,
      breaker: state === 'half_open' ? 'half_open' : 'closed',
    });
  }
  return { wouldTry, skipped };
}

/** Why the provider would be skipped without a call right now, or null. */
async function blockedBy(
  gateway: Gateway,
  providers: ProvidersConfig,
  keyMode: KeyMode,
  provider: ProviderId,
  now: Date,
): Promise<{ reason: string; detail?: string } | null> {
  const drain = await gateway.drains.drainOf(provider);
  if (drain) return { reason: 'drained', detail: `drained at ${drain.at}: ${drain.reason}` };
  const cooldown = await gateway.accountHealth.describe(keyMode, provider, now);
  if (cooldown) return { reason: `account_${cooldown.state}`, detail: `${cooldown.suiteCode} until ${cooldown.until}` };
  try {
    callContext(providers, provider, keyMode, gateway.env);
  } catch (err) {
    if (isAppError(err) && err.code === 'provider_not_configured')
      return { reason: 'provider_not_configured', detail: 'no live credentials' };
    throw err;
  }
  if (gateway.breakers.state(keyMode, provider) === 'open') return { reason: 'breaker_open' };
  return null;
}
