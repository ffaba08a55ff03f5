import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import type { MappingRow } from './error-map';
import type { VendorId } from './providers';

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

  async cooldownOf(mode: string, provider: VendorId): Promise<Cooldown | null> {
    const raw = await this.redis.get(this.key(mode, provider));
    return raw ? (JSON.parse(raw) as Cooldown) : null;
  }

  /** The cooldown with when it ends (from the key's remaining time), for ops views. */
  async describe(mode: string, provider: VendorId, now: Date): Promise<(Cooldown & { until: string }) | null> {
    const key = this.key(mode, provider);
    const [[, raw], [, pttl]] = (await this.redis.multi().get(key).pttl(key).exec()) as [[unknown, string | null], [unknown, number]];
    if (!raw || pttl < 0) return null;
    return { ...(JSON.parse(raw) as Cooldown), until: new Date(now.getTime() + pttl).toISOString() };
  }

  /** Puts the provider out for `ms` and alerts ops; called for rows with `accountHealth`. */
  async coolDown(mode: string, provider: VendorId, row: MappingRow, ms: number): Promise<void> {
    const state = row.accountHealth as string;
    await this.redis.set(this.key(mode, provider), JSON.stringify({ state, suiteCode: row.suiteCode } satisfies Cooldown), 'PX', ms);
    this.logger.warn(
      { provider, mode, accountState: state, cooldownMs: ms, alert: 'provider_account_health' },
      'provider account unhealthy: in cooldown',
    );
  }

  /** Ends a cooldown early (ops restored the account). */
  async restore(mode: string, provider: VendorId): Promise<void> {
    await this.redis.del(this.key(mode, provider));
  }

  private key(mode: string, provider: VendorId): string {
    return `${this.prefix}:${mode}:${provider}`;
  }
}
