import type { Charge } from '../errors/app-error';
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
  /** Null while the call is in flight: written ahead of it, the row is `unknown` until its answer settles it. */
  suiteCode: string | null;
  charged: Charge;
  unitPrice: number;
  currency: string;
  sandbox: boolean;
}

/** The ledger's columns as an INSERT names them, and a row's values in that order. */
export const LEDGER_COLUMNS = `attempt_id, org_id, key_id, customer_id, verification_id, check_name, provider, operation,
  upstream_request_id, suite_code, charged, unit_price, currency, sandbox`;
export const ledgerParams = (e: LedgerEntry): unknown[] => [
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
];

/**
 * Books the call; returns false when this upstream call was already booked (the same request id for the
 * same verification), which is how a repeated write stays one row.
 */
export async function insertLedgerEntry(tx: Queryable, e: LedgerEntry): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO ledger_entries (${LEDGER_COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT DO NOTHING`,
    ledgerParams(e),
  );
  return rowCount > 0;
}

/** What a call's answer settles on the row written ahead of it. */
export interface Settlement {
  suiteCode: string;
  charged: Charge;
  upstreamRequestId: string | null;
}

/** Settles the row of an attempt with its answer. */
export async function settleLedgerEntry(tx: Queryable, attemptId: string, s: Settlement): Promise<void> {
  await tx.query(`UPDATE ledger_entries SET suite_code = $2, charged = $3, upstream_request_id = $4 WHERE attempt_id = $1`, [
    attemptId,
    s.suiteCode,
    s.charged,
    s.upstreamRequestId,
  ]);
}

/** A group of ledger rows counted by charge, with what they cost. */
export interface ChargeTotals {
  calls: number;
  charged: number;
  free: number;
  unknown: number;
  /** Sum of the prices of charged calls. */
  cost: number;
  /** What the unknown calls would cost if the vendor billed them: finance's exposure until reconciled. */
  unknownExposure: number;
}

/** The SELECT columns of ChargeTotals over `ledger_entries e`, for a query that groups the rows. */
export const CHARGE_TOTALS_SQL = `count(*) AS calls,
            count(*) FILTER (WHERE e.charged = 'charged') AS charged,
            count(*) FILTER (WHERE e.charged = 'free') AS free,
            count(*) FILTER (WHERE e.charged = 'unknown') AS unknown,
            coalesce(sum(e.unit_price) FILTER (WHERE e.charged = 'charged'), 0)::text AS cost,
            coalesce(sum(e.unit_price) FILTER (WHERE e.charged = 'unknown'), 0)::text AS unknown_exposure`;

export interface ChargeTotalsDbRow {
  calls: number | string;
  charged: number | string;
  free: number | string;
  unknown: number | string;
  cost: string;
  unknown_exposure: string;
}

export const chargeTotals = (r: ChargeTotalsDbRow): ChargeTotals => ({
  calls: Number(r.calls),
  charged: Number(r.charged),
  free: Number(r.free),
  unknown: Number(r.unknown),
  cost: Number(r.cost),
  unknownExposure: Number(r.unknown_exposure),
});

export interface UsageRow extends ChargeTotals {
  day: string;
  provider: string;
  check: string;
  sandbox: boolean;
  currency: string;
}

interface UsageDbRow extends ChargeTotalsDbRow {
  day: string;
  provider: string;
  check_name: string;
  sandbox: boolean;
  currency: string;
}

/**
 * Usage of one org grouped by UTC day, provider and check (sandbox apart from live), in [from, to); with
 * `orgId` null, the whole platform's (operators only).
 */
export async function usage(db: Queryable, orgId: string | null, from: Date, to: Date): Promise<UsageRow[]> {
  const { rows } = await db.query<UsageDbRow>(
    `SELECT to_char(date_trunc('day', e.created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, e.provider, e.check_name, e.sandbox, e.currency,
            ${CHARGE_TOTALS_SQL}
       FROM ledger_entries e
      WHERE ($1::text IS NULL OR e.org_id = $1) AND e.created_at >= $2 AND e.created_at < $3
      GROUP BY 1, e.provider, e.check_name, e.sandbox, e.currency
      ORDER BY 1, e.provider, e.check_name, e.sandbox`,
    [orgId, from, to],
  );
  return rows.map((r) => ({
    day: r.day,
    provider: r.provider,
    check: r.check_name,
    sandbox: r.sandbox,
    ...chargeTotals(r),
    currency: r.currency,
  }));
}

/** One ledger row as the entries list shows it; its id is the attempt it books (one row per attempt). */
export interface LedgerRow extends Omit<LedgerEntry, 'attemptId' | 'keyId'> {
  id: string;
  createdAt: Date;
  /**
   * Set once an `unknown` row was resolved: `resolvedBy` is the key (`key_...`) or operator key (`opk_...`)
   * that did it by hand, the invoice import (`inv_...`) that proved it, or the vendor lookup (`att_...`, itself a
   * row of the ledger) whose answer proved it.
   */
  resolution: { from: 'unknown'; note: string; resolvedBy: string; resolvedAt: Date } | null;
}

interface LedgerDbRow {
  attempt_id: string;
  org_id: string;
  verification_id: string;
  customer_id: string;
  check_name: string;
  provider: string;
  operation: string;
  upstream_request_id: string | null;
  suite_code: string | null;
  charged: Charge;
  unit_price: string;
  currency: string;
  sandbox: boolean;
  created_at: Date;
  note: string | null;
  resolved_by: string | null;
  resolved_by_operator: string | null;
  invoice_import_id: string | null;
  vendor_attempt_id: string | null;
  resolved_at: Date | null;
}

const ENTRY_SELECT = `SELECT e.*, r.note, r.resolved_by, r.resolved_by_operator, r.invoice_import_id, r.vendor_attempt_id, r.resolved_at
  FROM ledger_entries e LEFT JOIN ledger_resolutions r ON r.attempt_id = e.attempt_id`;

const toLedgerRow = (r: LedgerDbRow): LedgerRow => {
  const resolvedBy = r.resolved_by ?? r.resolved_by_operator ?? r.invoice_import_id ?? r.vendor_attempt_id;
  return {
    id: r.attempt_id,
    orgId: r.org_id,
    verificationId: r.verification_id,
    customerId: r.customer_id,
    check: r.check_name,
    provider: r.provider,
    operation: r.operation,
    upstreamRequestId: r.upstream_request_id,
    suiteCode: r.suite_code,
    charged: r.charged,
    unitPrice: Number(r.unit_price),
    currency: r.currency,
    sandbox: r.sandbox,
    createdAt: r.created_at,
    resolution: r.resolved_at && r.note && resolvedBy ? { from: 'unknown', note: r.note, resolvedBy, resolvedAt: r.resolved_at } : null,
  };
};

/** `orgId` null: in any org (operators only). */
export async function findLedgerEntry(db: Queryable, orgId: string | null, id: string): Promise<LedgerRow | null> {
  const { rows } = await db.query<LedgerDbRow>(`${ENTRY_SELECT} WHERE ($1::text IS NULL OR e.org_id = $1) AND e.attempt_id = $2`, [
    orgId,
    id,
  ]);
  return rows[0] ? toLedgerRow(rows[0]) : null;
}

export interface EntriesFilter {
  charged?: Charge;
  /** Id of the last entry of the previous page (must exist in the org). */
  after?: string;
  limit: number;
}

/** One page of the org's ledger rows in booking order; with `orgId` null, of every org's (operators only). */
export async function listLedgerEntries(db: Queryable, orgId: string | null, f: EntriesFilter): Promise<LedgerRow[]> {
  const { rows } = await db.query<LedgerDbRow>(
    `${ENTRY_SELECT} WHERE ($1::text IS NULL OR e.org_id = $1)
       AND ($2::text IS NULL OR e.charged = $2)
       AND ($3::text IS NULL OR e.seq > (SELECT seq FROM ledger_entries WHERE attempt_id = $3 AND ($1::text IS NULL OR org_id = $1)))
     ORDER BY e.seq LIMIT $4`,
    [orgId, f.charged ?? null, f.after ?? null, f.limit],
  );
  return rows.map(toLedgerRow);
}

export interface Resolution {
  charged: 'charged' | 'free';
  note: string;
  /** Who resolved it by hand (a tenant key with `usage:manage`, or an operator key), or the vendor lookup that proved it. */
  by: { keyId: string } | { operatorKeyId: string } | { vendorAttemptId: string };
  at: Date;
}

/**
 * Settles an `unknown` row. The conditional UPDATE makes it happen once: of two resolutions racing,
 * one changes the row and the other sees it no longer unknown. A call still in flight is not resolvable:
 * its answer may yet settle it. Returns false when it was not an unknown, settled call.
 */
export async function resolveLedgerEntry(tx: Queryable, orgId: string | null, id: string, r: Resolution): Promise<boolean> {
  const { rows } = await tx.query<{ org_id: string }>(
    `UPDATE ledger_entries SET charged = $3 WHERE ($1::text IS NULL OR org_id = $1) AND attempt_id = $2 AND charged = 'unknown'
        AND EXISTS (SELECT 1 FROM verification_attempts a WHERE a.id = $2 AND a.state = 'settled')
     RETURNING org_id`,
    [orgId, id, r.charged],
  );
  const row = rows[0];
  if (!row) return false;
  await tx.query(
    `INSERT INTO ledger_resolutions (attempt_id, org_id, from_charge, to_charge, note, resolved_by, resolved_by_operator, vendor_attempt_id, resolved_at)
     VALUES ($1, $2, 'unknown', $3, $4, $5, $6, $7, $8)`,
    [
      id,
      row.org_id,
      r.charged,
      r.note,
      'keyId' in r.by ? r.by.keyId : null,
      'operatorKeyId' in r.by ? r.by.operatorKeyId : null,
      'vendorAttemptId' in r.by ? r.by.vendorAttemptId : null,
      r.at,
    ],
  );
  return true;
}
