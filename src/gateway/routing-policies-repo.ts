import type { Caches } from '../cache/caches';
import type { Queryable } from '../store/db';
import { OrgPolicyInput } from './routing-policy';

export interface StoredPolicy {
  policy: OrgPolicyInput;
  updatedBy: string;
  updatedAt: Date;
}

/** The org's own policy, or null when it routes by the defaults. Parsed again on read: the schema may have tightened since. */
export async function findRoutingPolicy(db: Queryable, orgId: string): Promise<StoredPolicy | null> {
  const { rows } = await db.query<{ policy: unknown; updated_by: string; updated_at: Date }>(
    'SELECT policy, updated_by, updated_at FROM routing_policies WHERE org_id = $1',
    [orgId],
  );
  const row = rows[0];
  return row ? { policy: OrgPolicyInput.parse(row.policy), updatedBy: row.updated_by, updatedAt: row.updated_at } : null;
}

export async function saveRoutingPolicy(db: Queryable, orgId: string, keyId: string, policy: OrgPolicyInput, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO routing_policies (org_id, policy, updated_by, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (org_id) DO UPDATE SET policy = EXCLUDED.policy, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
    [orgId, JSON.stringify(policy), keyId, at],
  );
}

/** The org's own policy through the cache (CACHE_TTL_MS; PUT /v1/routing/policy drops this instance's copy). */
export async function cachedRoutingPolicy(db: Queryable, caches: Pick<Caches, 'policies'>, orgId: string): Promise<StoredPolicy | null> {
  const cached = caches.policies.get(orgId);
  if (cached !== undefined) return cached;
  const stored = await findRoutingPolicy(db, orgId);
  caches.policies.set(orgId, stored);
  return stored;
}
