import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../logger';
import type { ProviderId } from '../../adapters/types';

/** A drain: why, when, and the operator key that made it (drains made before operators existed name a tenant's org and key). */
const Drain = z
  .object({ reason: z.string(), at: z.string(), operatorKeyId: z.string().optional(), orgId: z.string().optional(), keyId: z.string().optional() })
  .strict();
export type Drain = z.infer<typeof Drain>;

/**
 * Providers taken out of routing by operators (src/ops/provider-actions.ts, audited there). Kept in one Redis hash so every instance skips a drained
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

  /** Drains; returns the drain it replaced, if any. */
  async drain(provider: ProviderId, drain: Drain): Promise<Drain | null> {
    const [[, previous]] = (await this.redis.multi().hget(this.key, provider).hset(this.key, provider, JSON.stringify(drain)).exec()) as [
      [unknown, string | null],
      unknown,
    ];
    this.logger.warn({ provider, operatorKeyId: drain.operatorKeyId }, 'provider drained');
    return ProviderDrains.parse(previous);
  }

  /** Restores; returns whether the provider was drained. */
  async restore(provider: ProviderId): Promise<boolean> {
    const removed = await this.redis.hdel(this.key, provider);
    if (removed > 0) this.logger.warn({ provider }, 'provider restored');
    return removed > 0;
  }
}
