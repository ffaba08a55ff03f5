import type { KeyMode } from '../tenancy/key-mode';
import type { Redis } from 'ioredis';
import type { ProviderId } from '../../adapters/types';

/** How many recent calls per provider and key mode the latency and error figures are taken over. */
export const RECENT_CALLS = 200;

/** How long a call's figures wait in memory before they are written to Redis with others, in ms. */
const FLUSH_EVERY_MS = 250;

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
  /** Calls not yet written, by Redis key: written together at most FLUSH_EVERY_MS later, in one round trip. */
  private pending = new Map<string, string[]>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    /** Key prefix; tests sharing one Redis use their own. */
    private readonly prefix = 'verigate:recent',
  ) {}

  /** Notes one call; it reaches Redis with the next flush, so a verification never waits on it. */
  record(keyMode: KeyMode, provider: ProviderId, latencyMs: number, healthFailure: boolean): void {
    const key = this.key(keyMode, provider);
    const calls = this.pending.get(key) ?? [];
    calls.push(`${Math.round(latencyMs)}:${healthFailure ? 1 : 0}`);
    this.pending.set(key, calls);
    this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), FLUSH_EVERY_MS).unref();
  }

  /** Writes the pending calls, newest first and capped, in one pipelined round trip. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const pipeline = this.redis.pipeline();
    for (const [key, calls] of batch) pipeline.lpush(key, ...calls).ltrim(key, 0, RECENT_CALLS - 1);
    await pipeline.exec();
  }

  async recent(keyMode: KeyMode, provider: ProviderId): Promise<RecentStats> {
    // This instance's own latest calls count too, even before their flush.
    await this.flush();
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
