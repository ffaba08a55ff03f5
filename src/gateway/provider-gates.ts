import type { Redis } from 'ioredis';
import type { ProviderId } from '../../adapters/types';
import { AppError } from '../errors/app-error';
import type { KeyMode } from '../tenancy/key-mode';
import { AccountHealth } from './account-health';
import type { CodedSkip } from './attempt';
import { ProviderDrains } from './drains';

export interface GateDeps {
  redis: Redis;
  drains: ProviderDrains;
  accountHealth: AccountHealth;
}

/**
 * Why the provider may not be called now, read in one Redis round trip: drained by ops, or its account in
 * a cooldown (quota, funds, credentials). Null when it may. Redis not answering is a dependency outage
 * before any call: 503 `service_unavailable`, which an Idempotency-Key does not remember.
 */
export async function blockedNow(deps: GateDeps, keyMode: KeyMode, provider: ProviderId): Promise<CodedSkip | null> {
  let replies: [Error | null, unknown][] | null;
  try {
    replies = await deps.redis.pipeline().hget(deps.drains.key, provider).get(deps.accountHealth.key(keyMode, provider)).exec();
  } catch (cause) {
    throw redisUnavailable(cause);
  }
  const [drain, cooldown] = replies ?? [];
  const failed = drain?.[0] ?? cooldown?.[0];
  if (!drain || !cooldown || failed) throw redisUnavailable(failed);
  if (ProviderDrains.parse(drain[1] as string | null)) return { provider, reason: 'drained', suiteCode: 'provider_unavailable' };
  const cool = AccountHealth.parse(cooldown[1] as string | null);
  return cool ? { provider, reason: `account_${cool.state}`, suiteCode: cool.suiteCode } : null;
}

/** Redis did not answer: retry in a second (limits, drains and cooldowns fail closed). */
export const redisUnavailable = (cause: unknown) =>
  new AppError('service_unavailable', { params: { dependency: 'redis' }, headers: { 'Retry-After': '1' }, cause });
