import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { OriginalResponse } from './captures-repo';

const PENDING = 'pending';

/** SHA-256 of a bundle's signature and timestamp: what "the same bundle again" means (seed 000). */
export const replayDigest = (signature: string, timestamp: string): string =>
  createHash('sha256').update(`${signature.toLowerCase()}\n${timestamp}`).digest('hex');

export type ReplayClaim = { first: true } | { first: false; original: OriginalResponse | null };

/**
 * First-sight detection of bundles in Redis (reliability-and-performance.md A9): `SET NX PX` claims a
 * digest atomically, so of two identical bundles only one is processed; the claim is then overwritten
 * with the response so a later replay gets the original answer. The TTL is the replay window. Redis can
 * lose a key (failover, flush); the unique (org, replay_digest) constraint on capture_bundles is the
 * durable second check.
 */
export class ReplayGuard {
  constructor(
    private readonly redis: Redis,
    /** How long a digest is remembered, in ms. */
    private readonly windowMs: number,
    private readonly prefix = 'verigate:replay',
  ) {}

  async claim(orgId: string, digest: string): Promise<ReplayClaim> {
    const key = this.key(orgId, digest);
    if ((await this.redis.set(key, PENDING, 'PX', this.windowMs, 'NX')) === 'OK') return { first: true };
    const stored = await this.redis.get(key);
    return { first: false, original: stored && stored !== PENDING ? (JSON.parse(stored) as OriginalResponse) : null };
  }

  /** Records the answer the first submission got. */
  async remember(orgId: string, digest: string, response: OriginalResponse): Promise<void> {
    await this.redis.set(this.key(orgId, digest), JSON.stringify(response), 'PX', this.windowMs, 'XX');
  }

  /** Forgets a claim whose processing failed for a reason of ours (5xx), so the client's retry is processed. */
  async release(orgId: string, digest: string): Promise<void> {
    await this.redis.del(this.key(orgId, digest));
  }

  private key(orgId: string, digest: string): string {
    return `${this.prefix}:${orgId}:${digest}`;
  }
}
