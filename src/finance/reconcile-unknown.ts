import type { ChargeLookup, ProviderId } from '../../adapters/types';
import type { AppDeps } from '../deps';
import { errorCatalog } from '../errors/catalog';
import { resolveCharge } from '../gateway/error-map';
import { resolveLedgerEntry } from '../ledger/ledger-repo';
import type { Queryable } from '../store/db';
import { bookedCall, type CallOwner } from '../verifications/booked-call';

/** How many unknown rows one run asks about at most; the next run takes the rest. */
const BATCH = 100;

/** What one run of the reconciliation did. */
export interface ReconcileResult {
  /** Lookups made (each one a booked call). */
  asked: number;
  /** Unknown rows the answers proved charged or free. */
  settled: number;
  /** Answers that prove nothing yet (the session still open, several candidates): asked again a period later. */
  inconclusive: number;
  /** Lookups that got no answer, or were not made now (the vendor drained, in cooldown, its breaker open). */
  unanswered: number;
}

interface LostCall extends CallOwner {
  attemptId: string;
  provider: ProviderId;
  operation: string;
}

/**
 * Settles `unknown` ledger rows through the vendors' status APIs where they have one: a call whose answer was
 * lost (a timeout, a worker killed mid-call) of an operation that declares `settledBy` (iDenfy's token: the
 * customer's sessions at iDenfy say whether it opened one, and how that ended) is asked about once it is
 * `reconciliation.afterMinutes` old, then at most once a period while the answer proves nothing. The lookup is
 * a call like any, written ahead and booked (free by its row); its `result` is read by the declared rows under
 * the org's plan, and only a final state settles the row, with the lookup as the resolution's evidence. Rows
 * no vendor can be asked about (AccuAuth has no lookup) are left to the invoice import.
 */
export async function reconcileUnknownCharges(deps: AppDeps): Promise<ReconcileResult> {
  const result: ReconcileResult = { asked: 0, settled: 0, inconclusive: 0, unanswered: 0 };
  const lookups = declaredLookups(deps);
  if (lookups.size === 0) return result;
  const now = deps.now();
  const since = new Date(now.getTime() - deps.config.reconciliation.afterMinutes * 60_000);
  for (const lost of await listLostCalls(deps.db, [...lookups.keys()], since)) {
    const lookup = lookups.get(`${lost.provider}/${lost.operation}`) as ChargeLookup;
    const known = await knownRequestIds(deps.db, lost, lookup);
    const call = await bookedCall(
      deps,
      lost,
      { provider: lost.provider, operation: lookup.operation },
      lookup.input({ customerId: lost.customerId, knownRequestIds: known }),
      (tx) => takeLookup(tx, lost, lookup.operation, since),
    );
    if ('taken' in call) continue;
    result.asked += 'attempt' in call ? 1 : 0;
    const answer = 'attempt' in call && call.attempt.kind === 'result' ? call.attempt : null;
    const code = answer?.upstream.code;
    if (!answer || !code) {
      result.unanswered += 1;
      continue;
    }
    const { row } = deps.errorMap.classify(lost.provider, lookup.rows, { result: code });
    const charged = resolveCharge(row, deps.gateway.pricing.planOf(lost.provider, lost.orgId));
    // Only a final state proves the charge: a session still open (or under review) may yet be billed.
    const final = row.kind === 'result' && errorCatalog().result(row.suiteCode)?.verificationStatus !== 'pending';
    if (!final || charged === 'unknown') {
      result.inconclusive += 1;
      continue;
    }
    const settled = await deps.db.transaction((tx) =>
      resolveLedgerEntry(tx, null, lost.attemptId, {
        charged,
        note: `${lost.provider} ${lookup.operation} answered ${code}: ${row.suiteCode}`,
        by: { vendorAttemptId: answer.id },
        at: deps.now(),
      }),
    );
    if (settled) result.settled += 1;
  }
  if (result.settled + result.inconclusive + result.unanswered > 0) deps.logger.info({ ...result }, 'unknown charges reconciled');
  return result;
}

/** The operations whose unknown calls a vendor lookup can settle, by `provider/operation`. */
function declaredLookups(deps: AppDeps): Map<string, ChargeLookup> {
  const found = new Map<string, ChargeLookup>();
  for (const adapter of deps.gateway.registry.adapters) {
    for (const [name, op] of Object.entries(adapter.operations)) if (op.settledBy) found.set(`${adapter.id}/${name}`, op.settledBy);
  }
  return found;
}

/** Unknown rows of those operations whose answer was lost (no vendor id came back), booked before `since`. */
async function listLostCalls(db: Queryable, operations: string[], since: Date): Promise<LostCall[]> {
  const { rows } = await db.query<{
    attempt_id: string;
    org_id: string;
    key_id: string;
    customer_id: string;
    verification_id: string;
    check_name: string;
    provider: string;
    operation: string;
    sandbox: boolean;
  }>(
    `SELECT e.attempt_id, e.org_id, e.key_id, e.customer_id, e.verification_id, e.check_name, e.provider, e.operation, e.sandbox
       FROM ledger_entries e JOIN verification_attempts a ON a.id = e.attempt_id AND a.state = 'settled'
      WHERE e.charged = 'unknown' AND e.upstream_request_id IS NULL AND e.created_at < $2
        AND e.provider || '/' || e.operation = ANY($1::text[])
      ORDER BY e.seq LIMIT $3`,
    [operations, since, BATCH],
  );
  return rows.map((r) => ({
    attemptId: r.attempt_id,
    orgId: r.org_id,
    keyId: r.key_id,
    customerId: r.customer_id,
    verificationId: r.verification_id,
    check: r.check_name,
    provider: r.provider,
    operation: r.operation,
    sandbox: r.sandbox,
  }));
}

/** The vendor's ids the gateway already holds for this customer: its calls', and those other lookups attributed. */
async function knownRequestIds(db: Queryable, lost: LostCall, lookup: ChargeLookup): Promise<string[]> {
  const { rows: booked } = await db.query<{ ref: string }>(
    'SELECT DISTINCT upstream_request_id AS ref FROM ledger_entries WHERE customer_id = $1 AND provider = $2 AND upstream_request_id IS NOT NULL',
    [lost.customerId, lost.provider],
  );
  // This verification's own earlier lookups are left out: what they found may be its own lost call's session.
  const { rows: looked } = await db.query<{ data: unknown }>(
    `SELECT a.data FROM verification_attempts a JOIN ledger_entries e ON e.attempt_id = a.id
      WHERE e.customer_id = $1 AND a.provider = $2 AND a.operation = $3 AND a.verification_id <> $4 AND a.kind = 'result'`,
    [lost.customerId, lost.provider, lookup.operation, lost.verificationId],
  );
  const attributed = looked.flatMap((r) => lookup.attributed(r.data) ?? []);
  return [...new Set([...booked.map((r) => r.ref), ...attributed])];
}

/**
 * The lookup of one lost call, taken by one worker only: its row locked and still unknown, and no lookup for its
 * verification in flight or answered since `since` (an inconclusive answer is asked about again a period later).
 */
async function takeLookup(tx: Queryable, lost: LostCall, operation: string, since: Date): Promise<boolean> {
  const { rows } = await tx.query(`SELECT 1 FROM ledger_entries WHERE attempt_id = $1 AND charged = 'unknown' FOR UPDATE`, [
    lost.attemptId,
  ]);
  if (rows.length === 0) return false;
  const { rows: asked } = await tx.query(
    `SELECT 1 FROM verification_attempts a JOIN ledger_entries e ON e.attempt_id = a.id
      WHERE a.verification_id = $1 AND a.provider = $2 AND a.operation = $3
        AND (a.state = 'in_flight' OR (a.kind = 'result' AND e.created_at >= $4))`,
    [lost.verificationId, lost.provider, operation, since],
  );
  return asked.length === 0;
}
