import type { KeyMode } from '../tenancy/key-mode';
import type { Redis } from 'ioredis';
import type { ProviderId } from '../../adapters/types';

/** How many recent calls per provider and key mode the latency and error figures are taken over. */
export const RECENT_CALLS = 200;

export interface RecentStats {
  calls: number;
  /** Latency percentiles over the recent calls, in ms (null without calls). */
  p50Ms: number | null;
  p95Ms: number | null;
  /** Share (0..1) of recent calls that counted against the provider's health (breaker rows, transport failures). */
  errorRate: number | null;
}

/**
 * Recent upstream calls per provider and key mode, as a capped Redis list, so every instance reports
 * the same figures on GET /v1/providers. A count window (the last RECENT_CALLS calls) rather than a time
 * window: a quiet provider still shows how its last calls went.
 */
export class ProviderStats {
  constructor(
    private readonly redis: Redis,
    /** Key prefix; tests sharing one Redis use their own. */
    private readonly prefix = 'verigate:recent',
  ) {}

  async record(keyMode: KeyMode, provider: ProviderId, latencyMs: number, healthFailure: boolean): Promise<void> {
    const key = this.key(keyMode, provider);
    await this.redis
      .multi()
      .lpush(key, `${Math.round(latencyMs)}:${healthFailure ? 1 : 0}`)
      .ltrim(key, 0, RECENT_CALLS - 1)
      .exec();
  }

  async recent(keyMode: KeyMode, provider: ProviderId): Promise<RecentStats> {
    const raw = await this.redis.lrange(this.key(keyMode, provider), 0, RECENT_CALLS - 1);
    const calls = raw.map((r) => r.split(':')).map(([ms, failed]) => ({ ms: Number(ms), failed: failed === '1' }));
    if (calls.length === 0) return { calls: 0, p50Ms: null, p95Ms: null, errorRate: null };
    const sorted = calls.map((c) => c.ms).sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
    return { calls: calls.length, p50Ms: at(0.5), p95Ms: at(0.95), errorRate: calls.filter((c) => c.failed).length / calls.length };
  }

  private key(keyMode: KeyMode, provider: ProviderId): string {
    return `${this.prefix}:${keyMode}:${provider}`;
  }
}
