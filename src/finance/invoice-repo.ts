import type { Charge } from '../errors/app-error';
import type { Queryable } from '../store/db';

/** A ledger row as reconciliation reads it. */
export interface BookedCall {
  entryId: string;
  orgId: string;
  reference: string | null;
  charged: Charge;
  /** The booked price in cents: what the vendor should bill for it. */
  priceCents: number;
  currency: string;
  createdAt: Date;
  /** False while the call is in flight: its answer may yet settle the charge, so no invoice resolves it. */
  settled: boolean;
}

/** Which ledger rows an invoice is checked against. */
export interface LedgerScope {
  provider: string;
  sandbox: boolean;
  /** One org's rows only, or every org's (null). */
  orgId: string | null;
}

interface BookedRow {
  attempt_id: string;
  org_id: string;
  upstream_request_id: string | null;
  charged: Charge;
  unit_price: string;
  currency: string;
  created_at: Date;
  settled: boolean;
}

const toBooked = (r: BookedRow): BookedCall => ({
  entryId: r.attempt_id,
  orgId: r.org_id,
  reference: r.upstream_request_id,
  charged: r.charged,
  // numeric(14,2) as text: exact cents without a float in between.
  priceCents: centsOf(r.unit_price),
  currency: r.currency,
  createdAt: r.created_at,
  settled: r.settled,
});

export function centsOf(decimal: string): number {
  const [units = '0', fraction = ''] = decimal.split('.');
  const sign = units.startsWith('-') ? -1 : 1;
  return sign * (Math.abs(Number(units)) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2)));
}

const SCOPE = `e.provider = $1 AND e.sandbox = $2 AND ($3::text IS NULL OR e.org_id = $3)`;

/**
 * The rows an invoice can speak of: those whose vendor reference it names (whenever they were booked), and
 * every row booked in [from, to) (to find the charged ones it does not bill). Read without locks: only the
 * rows the import resolves are locked (`lockResolvable`), so settling calls in the period never waits on it.
 */
export async function bookedCalls(tx: Queryable, scope: LedgerScope, references: string[], from: Date, to: Date): Promise<BookedCall[]> {
  const { rows } = await tx.query<BookedRow>(
    `SELECT e.attempt_id, e.org_id, e.upstream_request_id, e.charged, e.unit_price::text AS unit_price, e.currency, e.created_at,
            a.state = 'settled' AS settled
       FROM ledger_entries e JOIN verification_attempts a ON a.id = e.attempt_id
      WHERE ${SCOPE} AND (e.upstream_request_id = ANY($4::text[]) OR (e.created_at >= $5 AND e.created_at < $6))
      ORDER BY e.seq`,
    [scope.provider, scope.sandbox, scope.orgId, references, from, to],
  );
  return rows.map(toBooked);
}

/**
 * Locks the rows of `entryIds` that are still `unknown` and settled, and returns their ids: a row resolved by
 * hand (or settled by its answer) since it was read is left alone.
 */
export async function lockResolvable(tx: Queryable, entryIds: string[]): Promise<Set<string>> {
  if (entryIds.length === 0) return new Set();
  const { rows } = await tx.query<{ attempt_id: string }>(
    `SELECT e.attempt_id FROM ledger_entries e JOIN verification_attempts a ON a.id = e.attempt_id
      WHERE e.attempt_id = ANY($1::text[]) AND e.charged = 'unknown' AND a.state = 'settled'
      FOR UPDATE OF e`,
    [entryIds],
  );
  return new Set(rows.map((r) => r.attempt_id));
}

export interface InvoiceImportRecord {
  id: string;
  scope: LedgerScope;
  fileName: string;
  fileSha256: string;
  periodFrom: string;
  periodTo: string;
  lines: number;
  importedBy: string;
  importedAt: Date;
  result: unknown;
}

export async function insertInvoiceImport(tx: Queryable, r: InvoiceImportRecord): Promise<void> {
  await tx.query(
    `INSERT INTO invoice_imports (id, provider, sandbox, org_id, file_name, file_sha256, period_from, period_to, lines, imported_by, imported_at, result)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      r.id,
      r.scope.provider,
      r.scope.sandbox,
      r.scope.orgId,
      r.fileName,
      r.fileSha256,
      r.periodFrom,
      r.periodTo,
      r.lines,
      r.importedBy,
      r.importedAt,
      JSON.stringify(r.result),
    ],
  );
}

/**
 * Resolves an `unknown` row as charged on the invoice's evidence: once (the conditional UPDATE), and only a
 * settled call (one still in flight may yet be settled by its answer). Returns false when it was not that.
 */
export async function resolveByInvoice(
  tx: Queryable,
  entry: { entryId: string; orgId: string },
  evidence: { importId: string; note: string; at: Date },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE ledger_entries SET charged = 'charged' WHERE attempt_id = $1 AND charged = 'unknown'
        AND EXISTS (SELECT 1 FROM verification_attempts a WHERE a.id = $1 AND a.state = 'settled')`,
    [entry.entryId],
  );
  if (rowCount === 0) return false;
  await tx.query(
    `INSERT INTO ledger_resolutions (attempt_id, org_id, from_charge, to_charge, note, resolved_by, invoice_import_id, resolved_at)
     VALUES ($1, $2, 'unknown', 'charged', $3, NULL, $4, $5)`,
    [entry.entryId, entry.orgId, evidence.note, evidence.importId, evidence.at],
  );
  return true;
}
