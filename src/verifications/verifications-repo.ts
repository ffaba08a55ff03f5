import type { Attempt, PendingAttempt, Skip } from '../gateway/attempt';
import type { Charge } from '../errors/app-error';
import type { Queryable } from '../store/db';

export interface Verification {
  id: string;
  orgId: string;
  keyId: string;
  customerId: string;
  check: string;
  mode: 'sync' | 'async';
  requestedProvider: string;
  sandbox: boolean;
  status: string;
  provider: string | null;
  resultCode: string | null;
  result: unknown;
  errorCode: string | null;
  skipped: Skip[];
  createdAt: Date;
  completedAt: Date | null;
}

export interface VerificationRow {
  id: string;
  org_id: string;
  key_id: string;
  customer_id: string;
  check_name: string;
  mode: 'sync' | 'async';
  requested_provider: string;
  sandbox: boolean;
  status: string;
  provider: string | null;
  result_code: string | null;
  result: unknown;
  error_code: string | null;
  skipped: Skip[];
  created_at: Date;
  completed_at: Date | null;
}

interface AttemptRow {
  id: string;
  verification_id: string;
  provider: string;
  operation: string;
  kind: 'result' | 'error';
  suite_code: string;
  upstream_status: number | null;
  upstream_code: string | null;
  upstream_transport: string | null;
  upstream_request_id: string | null;
  charged: Charge;
  final: boolean;
  failover: boolean;
  data: unknown;
  latency_ms: number;
}

export const toVerification = (r: VerificationRow): Verification => ({
  id: r.id,
  orgId: r.org_id,
  keyId: r.key_id,
  customerId: r.customer_id,
  check: r.check_name,
  mode: r.mode,
  requestedProvider: r.requested_provider,
  sandbox: r.sandbox,
  status: r.status,
  provider: r.provider,
  resultCode: r.result_code,
  result: r.result,
  errorCode: r.error_code,
  skipped: r.skipped,
  createdAt: r.created_at,
  completedAt: r.completed_at,
});

const toAttempt = (r: AttemptRow): Attempt => ({
  id: r.id,
  verificationId: r.verification_id,
  provider: r.provider,
  operation: r.operation,
  kind: r.kind,
  suiteCode: r.suite_code,
  upstream: { status: r.upstream_status, code: r.upstream_code, transport: r.upstream_transport, requestId: r.upstream_request_id },
  charged: r.charged,
  final: r.final,
  failover: r.failover,
  data: r.data ?? undefined,
  latencyMs: r.latency_ms,
});

export type NewVerification = Pick<
  Verification,
  'id' | 'orgId' | 'keyId' | 'customerId' | 'check' | 'mode' | 'requestedProvider' | 'sandbox'
> & {
  idempotency?: { key: string; requestHash: string };
  /** Until when the run that starts it is known to be alive (renewed by its heartbeat). */
  leaseUntil: Date;
};

/** Records the verification before any upstream call, in status `processing`. */
export async function insertVerification(db: Queryable, v: NewVerification): Promise<void> {
  await db.query(
    `INSERT INTO verifications (id, org_id, key_id, customer_id, check_name, mode, requested_provider, sandbox, status, idempotency_key,
       request_hash, lease_until)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'processing', $9, $10, $11)`,
    [
      v.id,
      v.orgId,
      v.keyId,
      v.customerId,
      v.check,
      v.mode,
      v.requestedProvider,
      v.sandbox,
      v.idempotency?.key ?? null,
      v.idempotency?.requestHash ?? null,
      v.leaseUntil,
    ],
  );
}

/** Extends a running verification's lease; a run whose process died stops renewing it. */
export async function renewLease(db: Queryable, id: string, until: Date): Promise<void> {
  await db.query(`UPDATE verifications SET lease_until = $2 WHERE id = $1 AND status = 'processing'`, [id, until]);
}

/**
 * The verification an earlier run with the same Idempotency-Key and request started, in whatever state it
 * was left: `processing` when that run died before its last write, finished when the sweep settled it.
 */
export async function findByIdempotency(
  db: Queryable,
  orgId: string,
  key: string,
  requestHash: string,
  /** Keys are kept this long (idempotency.retentionHours): an older verification belongs to an earlier use of the key. */
  since: Date,
): Promise<Verification | null> {
  const { rows } = await db.query<VerificationRow>(
    `SELECT * FROM verifications WHERE org_id = $1 AND idempotency_key = $2 AND request_hash = $3 AND created_at >= $4
      ORDER BY seq DESC LIMIT 1`,
    [orgId, key, requestHash, since],
  );
  return rows[0] ? toVerification(rows[0]) : null;
}

/** `processing` verifications whose lease ran out before `now`: their run died. Oldest first. */
export async function listAbandoned(db: Queryable, now: Date, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    // An accepted asynchronous verification no run has started yet is waiting for a worker, not abandoned.
    `SELECT v.id FROM verifications v WHERE v.status = 'processing' AND v.lease_until < $1
        AND (v.mode = 'sync' OR EXISTS (SELECT 1 FROM verification_attempts a WHERE a.verification_id = v.id))
      ORDER BY v.lease_until LIMIT $2`,
    [now, limit],
  );
  return rows.map((r) => r.id);
}

/**
 * Takes an abandoned verification for settling: renews its lease only if it is still `processing` and past
 * it, so of a sweep and a retry racing for it one wins, and a run that came back to life keeps it.
 */
export async function takeAbandoned(tx: Queryable, id: string, now: Date, leaseUntil: Date): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE verifications SET lease_until = $3 WHERE id = $1 AND status = 'processing' AND lease_until < $2`,
    [id, now, leaseUntil],
  );
  return rowCount > 0;
}

/** Records a call about to be made: whom it calls, in flight, nothing of the answer yet. */
export async function insertPendingAttempt(tx: Queryable, orgId: string, p: PendingAttempt): Promise<void> {
  await tx.query(
    `INSERT INTO verification_attempts (id, verification_id, org_id, provider, operation, state, charged)
     VALUES ($1, $2, $3, $4, $5, 'in_flight', 'unknown')`,
    [p.id, p.verificationId, orgId, p.provider, p.operation],
  );
}

/** An answer's columns, in the order of the SET lists that write it: kind, suite code, upstream facts, charge, decisions, data, latency. */
export const answerParams = (a: Attempt): unknown[] => [
  a.kind,
  a.suiteCode,
  a.upstream.status,
  a.upstream.code,
  a.upstream.transport,
  a.upstream.requestId,
  a.charged,
  a.final,
  a.failover,
  a.data === undefined ? null : JSON.stringify(a.data),
  a.latencyMs,
];

/** Writes the answer onto the attempt recorded before its call. The answer wins over an earlier settlement (the sweep's). */
export async function settleAttempt(tx: Queryable, a: Attempt): Promise<void> {
  await tx.query(
    `UPDATE verification_attempts SET state = 'settled', kind = $2, suite_code = $3, upstream_status = $4, upstream_code = $5,
       upstream_transport = $6, upstream_request_id = $7, charged = $8, final = $9, failover = $10, data = $11, latency_ms = $12
     WHERE id = $1`,
    [a.id, ...answerParams(a)],
  );
}

/** Withdraws an attempt whose call was refused before anything was sent, with its ledger row. */
export async function deletePendingAttempt(tx: Queryable, id: string): Promise<void> {
  await tx.query(`DELETE FROM ledger_entries WHERE attempt_id = $1`, [id]);
  await tx.query(`DELETE FROM verification_attempts WHERE id = $1 AND state = 'in_flight'`, [id]);
}

/** The calls of a verification still in flight: made, or about to be, by a run that has not settled them. */
export async function pendingAttemptsOf(db: Queryable, verificationId: string): Promise<PendingAttempt[]> {
  const { rows } = await db.query<{ id: string; verification_id: string; provider: string; operation: string }>(
    `SELECT id, verification_id, provider, operation FROM verification_attempts WHERE verification_id = $1 AND state = 'in_flight' ORDER BY seq`,
    [verificationId],
  );
  return rows.map((r) => ({ id: r.id, verificationId: r.verification_id, provider: r.provider, operation: r.operation }));
}

export interface Completion {
  status: string;
  provider: string | null;
  resultCode: string | null;
  result: unknown;
  errorCode: string | null;
  skipped: Skip[];
  completedAt: Date;
}

/** Stores how the verification ended and returns it as stored. */
export async function completeVerification(db: Queryable, id: string, c: Completion): Promise<Verification> {
  const { rows } = await db.query<VerificationRow>(
    `UPDATE verifications SET status = $2, provider = $3, result_code = $4, result = $5, error_code = $6, skipped = $7, completed_at = $8
      WHERE id = $1 RETURNING *`,
    [
      id,
      c.status,
      c.provider,
      c.resultCode,
      c.result === undefined ? null : JSON.stringify(c.result),
      c.errorCode,
      JSON.stringify(c.skipped),
      c.completedAt,
    ],
  );
  const row = rows[0];
  if (!row) throw new Error(`verification ${id} vanished before it was completed`);
  return toVerification(row);
}

export async function findVerification(db: Queryable, orgId: string, id: string): Promise<Verification | null> {
  const { rows } = await db.query<VerificationRow>('SELECT * FROM verifications WHERE id = $1 AND org_id = $2', [id, orgId]);
  return rows[0] ? toVerification(rows[0]) : null;
}

export async function attemptsOf(db: Queryable, verificationIds: string[]): Promise<Attempt[]> {
  if (verificationIds.length === 0) return [];
  // Settled only: a call still in flight has no answer to show (pendingAttemptsOf lists those).
  const { rows } = await db.query<AttemptRow>(
    `SELECT * FROM verification_attempts WHERE verification_id = ANY($1) AND state = 'settled' ORDER BY seq`,
    [verificationIds],
  );
  return rows.map(toAttempt);
}

export interface ListFilter {
  customerId?: string;
  status?: string;
  /** Id of the last verification of the previous page. */
  after?: string;
  limit: number;
}

/** One page in creation order. */
export async function listVerifications(db: Queryable, orgId: string, f: ListFilter): Promise<Verification[]> {
  const { rows } = await db.query<VerificationRow>(
    `SELECT * FROM verifications WHERE org_id = $1
       AND ($2::text IS NULL OR customer_id = $2)
       AND ($3::text IS NULL OR status = $3)
       AND ($4::text IS NULL OR seq > (SELECT seq FROM verifications WHERE id = $4 AND org_id = $1))
     ORDER BY seq LIMIT $5`,
    [orgId, f.customerId ?? null, f.status ?? null, f.after ?? null, f.limit],
  );
  return rows.map(toVerification);
}
