import { newId } from '../ids';
import type { Queryable } from '../store/db';
import { includesSandbox, type KycViewOptions, type Tier } from './kyc-tiers';

/** One analyst decision, as the append-only audit table keeps it. */
export interface KycOverride {
  id: string;
  orgId: string;
  customerId: string;
  fromTier: Tier;
  toTier: Tier;
  /** What the evidence supported when the analyst acted. */
  eligibleTier: Tier;
  reason: string;
  /** The API key that made the call. */
  keyId: string;
  /** The analyst's name as they gave it, if they did. */
  analyst: string | null;
  /** Made with a test key: it never applies to live reads. */
  sandbox: boolean;
  createdAt: Date;
}

interface OverrideRow {
  id: string;
  org_id: string;
  customer_id: string;
  from_tier: Tier;
  to_tier: Tier;
  eligible_tier: Tier;
  reason: string;
  key_id: string;
  analyst: string | null;
  sandbox: boolean;
  created_at: Date;
}

const toOverride = (r: OverrideRow): KycOverride => ({
  id: r.id,
  orgId: r.org_id,
  customerId: r.customer_id,
  fromTier: r.from_tier,
  toTier: r.to_tier,
  eligibleTier: r.eligible_tier,
  reason: r.reason,
  keyId: r.key_id,
  analyst: r.analyst,
  sandbox: r.sandbox,
  createdAt: new Date(r.created_at),
});

export type NewOverride = Omit<KycOverride, 'id'>;

export async function insertOverride(db: Queryable, o: NewOverride): Promise<KycOverride> {
  const { rows } = await db.query<OverrideRow>(
    `INSERT INTO kyc_overrides (id, org_id, customer_id, from_tier, to_tier, eligible_tier, reason, key_id, analyst, sandbox, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
    [newId('kyo'), o.orgId, o.customerId, o.fromTier, o.toTier, o.eligibleTier, o.reason, o.keyId, o.analyst, o.sandbox, o.createdAt],
  );
  return toOverride(rows[0] as OverrideRow);
}

/** The customer's overrides visible to this mode, newest first; `limit` caps how many. */
export async function listOverrides(
  db: Queryable,
  orgId: string,
  customerId: string,
  options: KycViewOptions & { limit?: number } = {},
): Promise<KycOverride[]> {
  const { rows } = await db.query<OverrideRow>(
    `SELECT * FROM kyc_overrides WHERE org_id = $1 AND customer_id = $2 AND ($3 OR NOT sandbox)
      ORDER BY seq DESC LIMIT $4`,
    [orgId, customerId, includesSandbox(options), options.limit ?? null],
  );
  return rows.map(toOverride);
}

export async function latestOverride(
  db: Queryable,
  orgId: string,
  customerId: string,
  options: KycViewOptions = {},
): Promise<KycOverride | null> {
  const [latest] = await listOverrides(db, orgId, customerId, { ...options, limit: 1 });
  return latest ?? null;
}

/**
 * Locks the customer row until the transaction ends, so two overrides of one customer run one after the
 * other and each records the tier the previous one set as its `fromTier`. False when the org has no such customer.
 */
export async function lockCustomer(tx: Queryable, orgId: string, customerId: string): Promise<boolean> {
  const { rowCount } = await tx.query('SELECT 1 FROM customers WHERE id = $1 AND org_id = $2 FOR UPDATE', [customerId, orgId]);
  return rowCount > 0;
}
