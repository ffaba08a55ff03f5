import { CHARGE_TOTALS_SQL, chargeTotals, type ChargeTotals, type ChargeTotalsDbRow } from '../ledger/ledger-repo';
import type { Queryable } from '../store/db';

/** One org's upstream calls for one provider in a period, as the platform operator reads them. */
export interface OrgUsage extends ChargeTotals {
  orgId: string;
  orgName: string;
  provider: string;
  sandbox: boolean;
  currency: string;
}

interface Row extends ChargeTotalsDbRow {
  org_id: string;
  org_name: string;
  provider: string;
  sandbox: boolean;
  currency: string;
}

/**
 * The whole platform's ledger in [from, to) grouped by org, provider and sandbox flag: what each org costs
 * at each vendor, the costliest first. For the platform operator (the CLI now; the operator API later),
 * never a tenant key.
 */
export async function usageByOrg(db: Queryable, from: Date, to: Date): Promise<OrgUsage[]> {
  const { rows } = await db.query<Row>(
    `SELECT e.org_id, o.name AS org_name, e.provider, e.sandbox, e.currency,
            ${CHARGE_TOTALS_SQL}
       FROM ledger_entries e JOIN orgs o ON o.id = e.org_id
      WHERE e.created_at >= $1 AND e.created_at < $2
      GROUP BY e.org_id, o.name, e.provider, e.sandbox, e.currency
      ORDER BY sum(e.unit_price) FILTER (WHERE e.charged = 'charged') DESC NULLS LAST, e.org_id, e.provider, e.sandbox`,
    [from, to],
  );
  return rows.map((r) => ({
    orgId: r.org_id,
    orgName: r.org_name,
    provider: r.provider,
    sandbox: r.sandbox,
    ...chargeTotals(r),
    currency: r.currency,
  }));
}
