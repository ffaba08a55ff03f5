import type { Customer } from '../customers/customers-repo';
import type { StoredPolicy } from '../gateway/routing-policies-repo';
import type { ApiKey } from '../tenancy/keys-repo';
import { TtlCache } from './ttl-cache';

/**
 * Short-lived copies of what a verification reads on every request, so the hot path makes one database
 * round trip per write and none per lookup. Invalidated on this instance by the change itself (a key
 * revoked, a policy replaced); another instance, or the CLI, is seen at most `TTL_MS` later.
 */
export interface Caches {
  /** Active keys by the SHA-256 of the presented plaintext. */
  keys: TtlCache<string, ApiKey>;
  /** Customers by `org:id` (customers are never deleted, so only existence is cached). */
  customers: TtlCache<string, Customer>;
  /** Each org's own routing policy, or null for the defaults, by org id. */
  policies: TtlCache<string, StoredPolicy | null>;
}

/** How long a cached key, customer or policy is served, in ms: how long a revoked key can still work elsewhere. */
export const CACHE_TTL_MS = 5_000;

export function createCaches(now: () => number = Date.now): Caches {
  return {
    keys: new TtlCache(CACHE_TTL_MS, 10_000, now),
    customers: new TtlCache(CACHE_TTL_MS, 50_000, now),
    policies: new TtlCache(CACHE_TTL_MS, 10_000, now),
  };
}
