/**
 * A bounded in-process map whose entries expire `ttlMs` after they were stored. For reads every request
 * makes (its API key, its customer, its org's routing policy) where a few seconds of staleness on other
 * instances is acceptable and the writer invalidates its own instance's copy.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; expires: number }>();

  constructor(
    /** How long an entry is served, in ms. */
    private readonly ttlMs: number,
    /** Most entries kept; the oldest stored goes first. */
    private readonly max: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires > this.now()) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
  }

  /** Drops the entries whose value matches (a revoked key, say, whatever plaintext it was cached under). */
  deleteWhere(matches: (value: V, key: K) => boolean): void {
    for (const [key, { value }] of this.entries) if (matches(value, key)) this.entries.delete(key);
  }
}
