import type { KeyMode } from '../tenancy/key-mode';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import type { MappingRow } from './error-map';
import type { ProviderId } from '../../adapters/types';

/** Why a provider is out: the account state and the suite code of the answer that put it there. */
export interface Cooldown {
  state: string;
  suiteCode: string;
}

/**
 * Account health (quota, funds, rejected credentials) lives in Redis so every gateway instance agrees
 * and a restart does not forget it; it expires by itself after the configured cooldown. Keyed by key
 * mode: a simulator out of quota says nothing about the live account.
 */
export class AccountHealth {
  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    /** Key prefix, so tests sharing one Redis do not see each other's cooldowns. */
    private readonly prefix = 'verigate:cooldown',
  ) {}

  async cooldownOf(keyMode: KeyMode, provider: ProviderId): Promise<Cooldown | null> {
    return AccountHealth.parse(await this.redis.get(this.key(keyMode, provider)));
  }

  /** A cooldown as stored (read here or in a pipeline with other reads), or null. */
  static parse(raw: string | null | undefined): Cooldown | null {
    return raw ? (JSON.parse(raw) as Cooldown) : null;
  }

  /** The cooldown with when it ends (from the key's remaining time), for ops views. */
  async describe(keyMode: KeyMode, provider: ProviderId, now: Date): Promise<(Cooldown & { until: string }) | null> {
    const key = this.key(keyMode, provider);
    const [[, raw], [, pttl]] = (await this.redis.multi().get(key).pttl(key).exec()) as [[unknown, string | null], [unknown, number]];
    if (!raw || pttl < 0) return null;
    return { ...(JSON.parse(raw) as Cooldown), until: new Date(now.getTime() + pttl).toISOString() };
  }

  /** Puts the provider out for `ms` and alerts ops; called for rows with `accountHealth`. */
  async coolDown(keyMode: KeyMode, provider: ProviderId, row: MappingRow, ms: number): Promise<void> {
    const state = row.accountHealth as string;
    await this.redis.set(this.key(keyMode, provider), JSON.stringify({ state, suiteCode: row.suiteCode } satisfies Cooldown), 'PX', ms);
    this.logger.warn(
      { provider, keyMode, accountState: state, cooldownMs: ms, alert: 'provider_account_health' },
      'provider account unhealthy: in cooldown',
    );
  }

  /** Ends a cooldown early (an operator restored the account); returns whether there was one. */
  async restore(keyMode: KeyMode, provider: ProviderId): Promise<boolean> {
    return (await this.redis.del(this.key(keyMode, provider))) > 0;
  }

  /** The Redis key of the provider's cooldown in that key mode. */
  key(keyMode: KeyMode, provider: ProviderId): string {
    return `${this.prefix}:${keyMode}:${provider}`;
  }
}
