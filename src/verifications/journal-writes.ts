import { checkEventData } from '../webhooks/event-types';
import type { NewEvent } from '../webhooks/events-repo';
import type { Attempt, PendingAttempt } from '../gateway/attempt';
import { LEDGER_COLUMNS, ledgerParams, type LedgerEntry } from '../ledger/ledger-repo';
import type { Queryable } from '../store/db';
import type { Prepared } from '../store/sql';
import type { StoredResponse } from '../store/idempotency-repo';
import { answerParams, type Completion, type NewVerification } from './verifications-repo';

/**
 * The verification journal's writes, each one statement: Postgres runs a statement's data-modifying CTEs as
 * one atomic unit (foreign keys checked at its end), so a write needs no BEGIN/COMMIT round trips. These are
 * the common case; anything unusual (a key already claimed, a resumed run) goes through a transaction.
 */

/** A new Idempotency-Key's claim, made in the first write when the key has no record yet. */
export interface FreshClaim {
  orgId: string;
  key: string;
  requestHash: string;
  token: string;
  at: Date;
}

/** Where a reply goes: the claim the request holds. */
export interface HeldKey {
  orgId: string;
  key: string;
  token: string;
}

const ATTEMPT_SET = `state = 'settled', kind = $KIND, suite_code = $CODE, upstream_status = $STATUS, upstream_code = $UCODE,
  upstream_transport = $TRANSPORT, upstream_request_id = $REQID, charged = $CHARGED, final = $FINAL, failover = $FAILOVER,
  data = $DATA, latency_ms = $LATENCY`;

/** Numbers the named placeholders of `sql` from `first` on, in the order of `names`. */
function numbered(sql: string, names: readonly string[], first: number): string {
  return names.reduce((s, name, i) => s.replaceAll(`$${name}`, `$${first + i}`), sql);
}

const ANSWER_NAMES = ['KIND', 'CODE', 'STATUS', 'UCODE', 'TRANSPORT', 'REQID', 'CHARGED', 'FINAL', 'FAILOVER', 'DATA', 'LATENCY'] as const;
const answerValues = (a: Attempt | null) => (a ? answerParams(a) : ANSWER_NAMES.map(() => null));

/** The ledger's column types: parameters in an INSERT's SELECT list are typed explicitly (Postgres would guess text). */
const LEDGER_TYPES = ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'numeric', 'text', 'boolean'];

/** `$n::type, ...` for the ledger's columns from parameter `first` on. */
function ledgerPlaceholders(first: number): string {
  return LEDGER_TYPES.map((type, i) => `$${first + i}::${type}`).join(', ');
}

const WRITE_FIRST: Prepared = {
  name: 'journal.write_first',
  text: `WITH unfinished AS (
       SELECT 1 FROM verifications WHERE org_id = $1 AND idempotency_key = $2 AND request_hash = $3 AND status = 'processing'
          AND created_at >= $34
     ), claim AS (
       INSERT INTO idempotency_keys (org_id, key, request_hash, claim_token, state, locked_at, created_at)
       SELECT $1::text, $2::text, $3::text, $4::text, 'in_progress', $5::timestamptz, $5::timestamptz
        WHERE $2::text IS NOT NULL AND NOT EXISTS (SELECT 1 FROM unfinished)
       ON CONFLICT (org_id, key) DO NOTHING RETURNING 1
     ), go AS (SELECT 1 WHERE $2::text IS NULL OR EXISTS (SELECT 1 FROM claim)),
     v AS (
       INSERT INTO verifications (id, org_id, key_id, customer_id, check_name, mode, requested_provider, sandbox, status, idempotency_key,
         request_hash, lease_until, created_at)
       SELECT $6::text, $1::text, $7::text, $8::text, $9::text, $10::text, $11::text, $12::boolean, 'processing', $13::text, $14::text,
         $15::timestamptz, $16::timestamptz FROM go RETURNING id
     ), a AS (
       INSERT INTO verification_attempts (id, verification_id, org_id, provider, operation, state, charged)
       SELECT $17::text, v.id, $1::text, $18::text, $19::text, 'in_flight', 'unknown' FROM v RETURNING id
     ), l AS (
       INSERT INTO ledger_entries (${LEDGER_COLUMNS}) SELECT ${ledgerPlaceholders(20)} FROM a RETURNING 1
     )
     SELECT EXISTS (SELECT 1 FROM go) AS written`,
};

export interface FirstWrite {
  claim: FreshClaim | null;
  /** Keys are kept this long: an unfinished run of the key older than this is not looked for. */
  since: Date;
  verification: NewVerification & { createdAt: Date };
  pending: PendingAttempt;
  ledger: LedgerEntry;
}

/**
 * The verification, the caller's claim of a new key, the first call's attempt in flight and its `unknown`
 * ledger row, in one statement. False when the key already has a record, or an unfinished verification of
 * the same key and request exists (a run that died): then nothing was written, and the caller claims the
 * key the long way, resuming that run.
 */
export async function writeFirst(db: Queryable, w: FirstWrite): Promise<boolean> {
  const v = w.verification;
  const c = w.claim;
  const { rows } = await db.query<{ written: boolean }>(WRITE_FIRST, [
    v.orgId,
    c?.key ?? null,
    c?.requestHash ?? null,
    c?.token ?? null,
    c?.at ?? null,
    v.id,
    v.keyId,
    v.customerId,
    v.check,
    v.mode,
    v.requestedProvider,
    v.sandbox,
    v.idempotency?.key ?? null,
    v.idempotency?.requestHash ?? null,
    v.leaseUntil,
    v.createdAt,
    w.pending.id,
    w.pending.provider,
    w.pending.operation,
    ...ledgerParams(w.ledger),
    w.since,
  ]);
  return rows[0]?.written === true;
}

const WRITE_NEXT: Prepared = {
  name: 'journal.write_next',
  text: `WITH a AS (UPDATE verification_attempts SET ${numbered(ATTEMPT_SET, ANSWER_NAMES, 2)} WHERE id = $1),
     l AS (UPDATE ledger_entries SET suite_code = $3, charged = $8, upstream_request_id = $7 WHERE attempt_id = $1),
     n AS (
       INSERT INTO verification_attempts (id, verification_id, org_id, provider, operation, state, charged)
       VALUES ($13, $14, $15, $16, $17, 'in_flight', 'unknown') RETURNING id
     )
     INSERT INTO ledger_entries (${LEDGER_COLUMNS}) SELECT ${ledgerPlaceholders(18)} FROM n`,
};

/** A failover's write: the previous call's answer with the next call written ahead, in one statement. */
export async function writeNext(
  db: Queryable,
  answer: Attempt | null,
  pending: PendingAttempt,
  orgId: string,
  ledger: LedgerEntry,
): Promise<void> {
  const prev = answer?.id ?? null;
  await db.query(WRITE_NEXT, [
    prev,
    ...answerValues(answer),
    pending.id,
    pending.verificationId,
    orgId,
    pending.provider,
    pending.operation,
    ...ledgerParams(ledger),
  ]);
}

const WRITE_LAST: Prepared = {
  name: 'journal.write_last',
  text: `WITH k AS (
       UPDATE idempotency_keys SET state = 'done', response_status = $13, response_headers = $14, response_body = $15
        WHERE org_id = $10 AND key = $11 AND claim_token = $12 AND state = 'in_progress' RETURNING 1
     ), ok AS (SELECT 1 WHERE $12::text IS NULL OR EXISTS (SELECT 1 FROM k)),
     a AS (UPDATE verification_attempts SET ${numbered(ATTEMPT_SET, ANSWER_NAMES, 16)} WHERE id = $1 AND EXISTS (SELECT 1 FROM ok)),
     l AS (UPDATE ledger_entries SET suite_code = $17, charged = $22, upstream_request_id = $21 WHERE attempt_id = $1 AND EXISTS (SELECT 1 FROM ok)),
     v AS (
       UPDATE verifications SET status = $3, provider = $4, result_code = $5, result = $6, error_code = $7, skipped = $8, completed_at = $9
        WHERE id = $2 AND EXISTS (SELECT 1 FROM ok) RETURNING 1
     ),
     e AS (
       INSERT INTO events (id, org_id, type, sandbox, data) SELECT $27, $28, $29, $30, $31 WHERE EXISTS (SELECT 1 FROM ok)
     )
     SELECT EXISTS (SELECT 1 FROM v) AS written`,
};

/**
 * The last write: the last call's answer, the completion, its event (outbox: src/webhooks) and (where the
 * caller holds a claim) its reply, in one statement. Nothing is written when the claim was lost meanwhile (a
 * retry took it over after the lock timeout): false, and the retry owns the work.
 */
export async function writeLast(
  db: Queryable,
  verificationId: string,
  answer: Attempt | null,
  c: Completion,
  reply: { key: HeldKey; response: StoredResponse } | null,
  event: { id: string; event: NewEvent },
): Promise<boolean> {
  const { rows } = await db.query<{ written: boolean }>(WRITE_LAST, [
    answer?.id ?? null,
    verificationId,
    c.status,
    c.provider,
    c.resultCode,
    c.result === undefined ? null : JSON.stringify(c.result),
    c.errorCode,
    JSON.stringify(c.skipped),
    c.completedAt,
    reply?.key.orgId ?? null,
    reply?.key.key ?? null,
    reply?.key.token ?? null,
    reply?.response.status ?? null,
    reply ? JSON.stringify(reply.response.headers) : null,
    reply?.response.body ?? null,
    ...answerValues(answer),
    event.id,
    event.event.orgId,
    event.event.type,
    event.event.sandbox,
    JSON.stringify(checkEventData(event.event.data)),
  ]);
  return rows[0]?.written === true;
}
