import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../logger';
import type { ProviderId } from '../../adapters/types';

const Drain = z.object({ reason: z.string(), orgId: z.string(), keyId: z.string(), at: z.string() }).strict();
export type Drain = z.infer<typeof Drain>;

/**
 * Providers taken out of routing by ops. Kept in one Redis hash so every instance skips a drained
 * provider from its next call on, and a restart does not bring it back. Unlike a cooldown, a drain
 * never expires: only a restore ends it. It applies to both key modes: ops drain a vendor, not a mode.
 */
export class ProviderDrains {
  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    /** Hash key; tests sharing one Redis use their own. */
    readonly key = 'verigate:drains',
  ) {}

  async drainOf(provider: ProviderId): Promise<Drain | null> {
    return ProviderDrains.parse(await this.redis.hget(this.key, provider));
  }

  /** A drain as stored in the hash (read here or in a pipeline with other reads), or null. */
  static parse(raw: string | null | undefined): Drain | null {
    return raw ? Drain.parse(JSON.parse(raw)) : null;
  }

  async all(): Promise<Partial<Record<ProviderId, Drain>>> {
    const raw = await this.redis.hgetall(this.key);
    return Object.fromEntries(Object.entries(raw).map(([p, v]) => [p, Drain.parse(JSON.parse(v))]));
  }

  /** Drains and writes the audit line (who and why; the reason is ops' own words, never request data). */
  async drain(provider: ProviderId, drain: Drain): Promise<void> {
    await this.redis.hset(this.key, provider, JSON.stringify(drain));
    this.logger.warn(
      { audit: 'provider_drained', provider, orgId: drain.orgId, keyId: drain.keyId, reason: drain.reason },
      'provider drained',
    );
  }

  /** Restores; returns whether the provider was drained. Audited like the drain. */
  async restore(provider: ProviderId, who: { orgId: string; keyId: string; reason: string }): Promise<boolean> {
    const removed = await this.redis.hdel(this.key, provider);
    this.logger.warn({ audit: 'provider_restored', provider, ...who, wasDrained: removed > 0 }, 'provider restored');
    return removed > 0;
  }
}
