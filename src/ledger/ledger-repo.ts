import type { ChargeValue } from '../gateway/error-map';
import type { Queryable } from '../store/db';

/** One upstream call as the ledger books it. */
export interface LedgerEntry {
  attemptId: string;
  orgId: string;
  keyId: string;
  customerId: string;
  verificationId: string;
  check: string;
  provider: string;
  operation: string;
  upstreamRequestId: string | null;
  suiteCode: string;
  charged: ChargeValue;
  unitPrice: number;
  currency: string;
  sandbox: boolean;
}

/**
 * Books the call; returns false when this upstream call was already booked (the same request id for the
 * same verification), which is how a repeated write stays one row.
 */
export async function insertLedgerEntry(tx: Queryable, e: LedgerEntry): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO ledger_entries (attempt_id, org_id, key_id, customer_id, verification_id, check_name, provider, operation,
       upstream_request_id, suite_code, charged, unit_price, currency, sandbox)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT DO NOTHING`,
    [
      e.attemptId,
      e.orgId,
      e.keyId,
      e.customerId,
      e.verificationId,
      e.check,
      e.provider,
      e.operation,
      e.upstreamRequestId,
      e.suiteCode,
      e.charged,
      e.unitPrice,
      e.currency,
      e.sandbox,
    ],
  );
  return rowCount > 0;
}

export interface UsageRow {
  day: string;
  provider: string;
  check: string;
  sandbox: boolean;
  calls: number;
  charged: number;
  free: number;
  unknown: number;
  /** Sum of the prices of charged calls. */
  cost: number;
  /** What the unknown calls would cost if the vendor billed them: finance's exposure until reconciled. */
  unknownExposure: number;
  currency: string;
}

interface UsageDbRow {
  day: string;
  provider: string;
  check_name: string;
  sandbox: boolean;
  calls: number;
  charged: number;
  free: number;
  unknown: number;
  cost: string;
  unknown_exposure: string;
  currency: string;
}

/** Usage of one org grouped by UTC day, provider and check (sandbox apart from live), in [from, to). */
export async function usage(db: Queryable, orgId: string, from: Date, to: Date): Promise<UsageRow[]> {
  const { rows } = await db.query<UsageDbRow>(
    `SELECT to_char(date_trunc('day', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, provider, check_name, sandbox, currency,
            count(*) AS calls,
            count(*) FILTER (WHERE charged = 'charged') AS charged,
            count(*) FILTER (WHERE charged = 'free') AS free,
            count(*) FILTER (WHERE charged = 'unknown') AS unknown,
            coalesce(sum(unit_price) FILTER (WHERE charged = 'charged'), 0)::text AS cost,
            coalesce(sum(unit_price) FILTER (WHERE charged = 'unknown'), 0)::text AS unknown_exposure
       FROM ledger_entries
      WHERE org_id = $1 AND created_at >= $2 AND created_at < $3
      GROUP BY 1, provider, check_name, sandbox, currency
      ORDER BY 1, provider, check_name, sandbox`,
    [orgId, from, to],
  );
  return rows.map((r) => ({
    day: r.day,
    provider: r.provider,
    check: r.check_name,
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
