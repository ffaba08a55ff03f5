import type { Queryable } from '../store/db';

/** One org's upstream calls for one provider in a period, as the platform operator reads them. */
export interface OrgUsage {
  orgId: string;
  orgName: string;
  provider: string;
  sandbox: boolean;
  calls: number;
  charged: number;
  free: number;
  unknown: number;
  /** Sum of the prices of charged calls. */
  cost: number;
  /** What the unknown calls would cost if billed: the exposure until reconciled. */
  unknownExposure: number;
  currency: string;
}

interface Row {
  org_id: string;
  org_name: string;
  provider: string;
  sandbox: boolean;
  currency: string;
  calls: string;
  charged: string;
  free: string;
  unknown: string;
  cost: string;
  unknown_exposure: string;
}

/**
 * The whole platform's ledger in [from, to) grouped by org, provider and sandbox flag: what each org costs
 * at each vendor. For the platform operator (the CLI now; the operator API later), never a tenant key.
 */
export async function usageByOrg(db: Queryable, from: Date, to: Date): Promise<OrgUsage[]> {
  const { rows } = await db.query<Row>(
    `SELECT e.org_id, o.name AS org_name, e.provider, e.sandbox, e.currency,
            count(*) AS calls,
            count(*) FILTER (WHERE e.charged = 'charged') AS charged,
            count(*) FILTER (WHERE e.charged = 'free') AS free,
            count(*) FILTER (WHERE e.charged = 'unknown') AS unknown,
            coalesce(sum(e.unit_price) FILTER (WHERE e.charged = 'charged'), 0)::text AS cost,
            coalesce(sum(e.unit_price) FILTER (WHERE e.charged = 'unknown'), 0)::text AS unknown_exposure
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
    calls: Number(r.calls),
    charged: Number(r.charged),
    free: Number(r.free),
    unknown: Number(r.unknown),
    cost: Number(r.cost),
    unknownExposure: Number(r.unknown_exposure),
    currency: r.currency,
  }));
}
