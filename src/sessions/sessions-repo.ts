import type { Charge } from '../errors/app-error';
import type { Queryable } from '../store/db';

/** A webhook as kept: the facts the mapping table reads, codes, and which keys signed it. Never the vendor's body. */
export interface StoredEvent {
  facts: Record<string, unknown>;
  summary: Record<string, unknown>;
  /** Live webhook keys or the sandbox (simulator) key: a session of the other kind is not changed by it. */
  signedWith: 'live' | 'sandbox';
  occurredAt?: number;
}

export interface InboundRow {
  id: string;
  provider: string;
  sessionRef: string;
  event: StoredEvent;
  processedAt: Date | null;
}

/**
 * Keeps a webhook once: the row is new, or the one an earlier delivery of the same session state made (a
 * redelivery or a replay), whose `processedAt` says whether its job already applied it.
 */
export async function recordInbound(
  db: Queryable,
  row: { id: string; provider: string; dedupeKey: string; sessionRef: string; event: StoredEvent; receivedAt: Date },
): Promise<{ id: string; fresh: boolean; processed: boolean }> {
  const inserted = await db.query<{ id: string }>(
    `INSERT INTO inbound_webhooks (id, provider, dedupe_key, session_ref, event, received_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (provider, dedupe_key) DO NOTHING RETURNING id`,
    [row.id, row.provider, row.dedupeKey, row.sessionRef, JSON.stringify(row.event), row.receivedAt],
  );
  if (inserted.rows[0]) return { id: row.id, fresh: true, processed: false };
  const { rows } = await db.query<{ id: string; processed_at: Date | null }>(
    'SELECT id, processed_at FROM inbound_webhooks WHERE provider = $1 AND dedupe_key = $2',
    [row.provider, row.dedupeKey],
  );
  const earlier = rows[0];
  if (!earlier) throw new Error('inbound webhook neither inserted nor found');
  return { id: earlier.id, fresh: false, processed: earlier.processed_at !== null };
}

export async function findInbound(db: Queryable, id: string): Promise<InboundRow | null> {
  const { rows } = await db.query<{ id: string; provider: string; session_ref: string; event: StoredEvent; processed_at: Date | null }>(
    'SELECT id, provider, session_ref, event, processed_at FROM inbound_webhooks WHERE id = $1',
    [id],
  );
  const r = rows[0];
  return r ? { id: r.id, provider: r.provider, sessionRef: r.session_ref, event: r.event, processedAt: r.processed_at } : null;
}

export async function markInboundProcessed(tx: Queryable, id: string, outcome: string, at: Date): Promise<void> {
  await tx.query('UPDATE inbound_webhooks SET processed_at = $2, outcome = $3 WHERE id = $1', [id, at, outcome]);
}

/** Webhooks received before `before` and not applied yet (their job was lost with Redis, or failed for good). */
export async function listUnprocessedInbound(db: Queryable, before: Date, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM inbound_webhooks WHERE processed_at IS NULL AND received_at < $1 ORDER BY received_at LIMIT $2',
    [before, limit],
  );
  return rows.map((r) => r.id);
}

/** The verification a vendor's session belongs to, locked for the event's update. */
export interface OpenSession {
  verificationId: string;
  orgId: string;
  customerId: string;
  check: string;
  mode: 'sync' | 'async';
  sandbox: boolean;
  status: string;
  provider: string | null;
  resultCode: string | null;
  errorCode: string | null;
  /** The attempt that opened the session: its ledger row is the session's. */
  attemptId: string;
}

export async function lockSession(tx: Queryable, provider: string, sessionRef: string): Promise<OpenSession | null> {
  const { rows } = await tx.query<{
    id: string;
    org_id: string;
    customer_id: string;
    check_name: string;
    mode: 'sync' | 'async';
    sandbox: boolean;
    status: string;
    provider: string | null;
    result_code: string | null;
    error_code: string | null;
    attempt_id: string;
  }>(
    `SELECT v.id, v.org_id, v.customer_id, v.check_name, v.mode, v.sandbox, v.status, v.provider, v.result_code, v.error_code,
            a.id AS attempt_id
       FROM verification_attempts a JOIN verifications v ON v.id = a.verification_id
      WHERE a.provider = $1 AND a.upstream_request_id = $2 AND a.suite_code = 'session_created'
      ORDER BY a.seq LIMIT 1
      FOR UPDATE OF v`,
    [provider, sessionRef],
  );
  const r = rows[0];
  return r
    ? {
        verificationId: r.id,
        orgId: r.org_id,
        customerId: r.customer_id,
        check: r.check_name,
        mode: r.mode,
        sandbox: r.sandbox,
        status: r.status,
        provider: r.provider,
        resultCode: r.result_code,
        errorCode: r.error_code,
        attemptId: r.attempt_id,
      }
    : null;
}

/** A session still open after the event (a review pending): its verdict so far, still `pending`. */
export async function noteSessionProgress(tx: Queryable, verificationId: string, resultCode: string, summary: object): Promise<void> {
  await tx.query(`UPDATE verifications SET result_code = $2, result = COALESCE(result, '{}'::jsonb) || $3::jsonb WHERE id = $1`, [
    verificationId,
    resultCode,
    JSON.stringify(summary),
  ]);
}

/** The session ended: the verification's final status and verdict, and the charge of the attempt that opened it. */
export async function endSession(
  tx: Queryable,
  s: {
    verificationId: string;
    attemptId: string;
    status: string;
    resultCode: string | null;
    errorCode: string | null;
    summary: object;
    charged: Charge;
    at: Date;
  },
): Promise<void> {
  await tx.query(
    `UPDATE verifications SET status = $2, result_code = COALESCE($3, result_code), error_code = $4,
       result = COALESCE(result, '{}'::jsonb) || $5::jsonb, completed_at = $6 WHERE id = $1`,
    [s.verificationId, s.status, s.resultCode, s.errorCode, JSON.stringify(s.summary), s.at],
  );
  await tx.query('UPDATE verification_attempts SET charged = $2 WHERE id = $1', [s.attemptId, s.charged]);
}

/** A session whose final webhook is overdue, to be asked about once. */
export interface OverdueSession {
  verificationId: string;
  orgId: string;
  keyId: string;
  customerId: string;
  check: string;
  sandbox: boolean;
  provider: string;
  sessionRef: string;
}

/**
 * Pending sessions whose last possible end (the link's expiry, else the creation plus `defaultLifeSeconds`,
 * plus the time on the page) lies more than `marginSeconds` before `now`, not yet followed up.
 */
export async function listOverdueSessions(
  db: Queryable,
  now: Date,
  o: { marginSeconds: number; defaultLifeSeconds: number; limit: number },
): Promise<OverdueSession[]> {
  const { rows } = await db.query<{
    id: string;
    org_id: string;
    key_id: string;
    customer_id: string;
    check_name: string;
    sandbox: boolean;
    provider: string;
    session_ref: string;
  }>(
    `SELECT v.id, v.org_id, v.key_id, v.customer_id, v.check_name, v.sandbox, a.provider, a.upstream_request_id AS session_ref
       FROM verifications v JOIN verification_attempts a ON a.verification_id = v.id AND a.suite_code = 'session_created'
      WHERE v.status = 'pending' AND v.followed_up_at IS NULL AND a.upstream_request_id IS NOT NULL
        AND COALESCE((a.data->>'expiresAt')::timestamptz, v.created_at + make_interval(secs => $3))
            + make_interval(secs => COALESCE((a.data->>'sessionLengthSeconds')::int, 0) + $2) < $1
      ORDER BY v.created_at LIMIT $4`,
    [now, o.marginSeconds, o.defaultLifeSeconds, o.limit],
  );
  return rows.map((r) => ({
    verificationId: r.id,
    orgId: r.org_id,
    keyId: r.key_id,
    customerId: r.customer_id,
    check: r.check_name,
    sandbox: r.sandbox,
    provider: r.provider,
    sessionRef: r.session_ref,
  }));
}

/** Takes an overdue session for its one follow-up: false when another worker took it first. */
export async function takeFollowUp(tx: Queryable, verificationId: string, at: Date): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE verifications SET followed_up_at = $2 WHERE id = $1 AND status = 'pending' AND followed_up_at IS NULL`,
    [verificationId, at],
  );
  return rowCount > 0;
}
