import { newId } from '../ids';
import type { Queryable } from '../store/db';
import type { Capability } from './scopes';

export interface Org {
  id: string;
  name: string;
  capabilities: Capability[];
  /** Daily spend cap in IDR (UTC days), or null for none (src/ledger/spend-cap.ts). */
  dailySpendCap: number | null;
  createdAt: Date;
}

interface OrgRow {
  id: string;
  name: string;
  capabilities: Capability[];
  daily_spend_cap: string | number | null;
  created_at: Date;
}

const toOrg = (r: OrgRow): Org => ({
  id: r.id,
  name: r.name,
  capabilities: r.capabilities,
  dailySpendCap: r.daily_spend_cap === null ? null : Number(r.daily_spend_cap),
  createdAt: r.created_at,
});

export async function createOrg(db: Queryable, input: { name: string; capabilities?: Capability[] }): Promise<Org> {
  const { rows } = await db.query<OrgRow>(
    'INSERT INTO orgs (id, name, capabilities) VALUES ($1, $2, $3) RETURNING *',
    [newId('org'), input.name, input.capabilities ?? []],
  );
  return toOrg(rows[0] as OrgRow);
}

export async function findOrg(db: Queryable, id: string): Promise<Org | null> {
  const { rows } = await db.query<OrgRow>('SELECT * FROM orgs WHERE id = $1', [id]);
  return rows[0] ? toOrg(rows[0]) : null;
}

export async function listOrgs(db: Queryable): Promise<Org[]> {
  const { rows } = await db.query<OrgRow>('SELECT * FROM orgs ORDER BY created_at, id');
  return rows.map(toOrg);
}

/** Replaces the org's capabilities; null for an unknown org. */
export async function setOrgCapabilities(db: Queryable, id: string, capabilities: Capability[]): Promise<Org | null> {
  const { rows } = await db.query<OrgRow>('UPDATE orgs SET capabilities = $2 WHERE id = $1 RETURNING *', [id, capabilities]);
  return rows[0] ? toOrg(rows[0]) : null;
}

/** Sets or clears (null) the org's daily spend cap in IDR; null for an unknown org. */
export async function setOrgSpendCap(db: Queryable, id: string, dailyIdr: number | null): Promise<Org | null> {
  const { rows } = await db.query<OrgRow>('UPDATE orgs SET daily_spend_cap = $2 WHERE id = $1 RETURNING *', [id, dailyIdr]);
  return rows[0] ? toOrg(rows[0]) : null;
}
