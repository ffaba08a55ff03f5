import { randomBytes } from 'node:crypto';
import type { Queryable } from './db';

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type Claim =
  /** `tookOver`: the key was held by a request that stopped renewing it (its process died) and is ours now. */
  | { outcome: 'claimed'; token: string; tookOver: boolean }
  | { outcome: 'replay'; response: StoredResponse }
  | { outcome: 'in_use' }
  | { outcome: 'mismatch' };

interface Row {
  request_hash: string;
  state: 'in_progress' | 'done';
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  locked_at: Date;
  created_at: Date;
}

export interface ClaimInput {
  orgId: string;
  key: string;
  requestHash: string;
  now: Date;
  /** Records created before this are expired: treated as absent and replaced. */
  expiredBefore: Date;
  /** In-progress claims locked before this were abandoned by a crashed process and may be taken over. */
  staleBefore: Date;
}

/**
 * Claims an idempotency key for one execution, atomically: the insert wins for exactly one of any number
 * of concurrent requests; the others see the row and get `in_use`, `mismatch` or the stored `replay`.
 */
/** A claim's token: whoever holds it may complete, renew or release the claim. */
export const newClaimToken = () => randomBytes(12).toString('hex');

export async function claimKey(db: Queryable, c: ClaimInput): Promise<Claim> {
  const token = newClaimToken();
  // `earlier` is the row as it was before this statement: an in-progress claim that had not expired is a
  // takeover (its request stopped renewing it), an absent or expired one a fresh start.
  const inserted = await db.query<{ took_over: boolean | null }>(
    `WITH earlier AS (SELECT state, created_at FROM idempotency_keys WHERE org_id = $1 AND key = $2)
     INSERT INTO idempotency_keys (org_id, key, request_hash, claim_token, state, locked_at, created_at)
     VALUES ($1, $2, $3, $7, 'in_progress', $4, $4)
     ON CONFLICT (org_id, key) DO UPDATE
       SET request_hash = EXCLUDED.request_hash, claim_token = EXCLUDED.claim_token, state = 'in_progress', response_status = NULL,
           response_headers = NULL, response_body = NULL, locked_at = EXCLUDED.locked_at, created_at = EXCLUDED.created_at
       WHERE idempotency_keys.created_at < $5
          OR (idempotency_keys.state = 'in_progress' AND idempotency_keys.locked_at < $6
              AND idempotency_keys.request_hash = EXCLUDED.request_hash)
     RETURNING (SELECT state = 'in_progress' AND created_at >= $5 FROM earlier) AS took_over`,
    [c.orgId, c.key, c.requestHash, c.now, c.expiredBefore, c.staleBefore, token],
  );
  const claimed = inserted.rows[0];
  if (claimed) return { outcome: 'claimed', token, tookOver: claimed.took_over === true };
  const { rows } = await db.query<Row>('SELECT * FROM idempotency_keys WHERE org_id = $1 AND key = $2', [c.orgId, c.key]);
  const row = rows[0];
  if (!row) return claimKey(db, c); // released between our insert and read: try again
  if (row.request_hash !== c.requestHash) return { outcome: 'mismatch' };
  if (row.state === 'in_progress') return { outcome: 'in_use' };
  return {
    outcome: 'replay',
    response: { status: row.response_status as number, headers: row.response_headers ?? {}, body: row.response_body as string },
  };
}

/** Stores the response of the claim `token` holds; false when that claim was taken over meanwhile. */
export async function completeKey(db: Queryable, orgId: string, key: string, token: string, response: StoredResponse): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE idempotency_keys SET state = 'done', response_status = $4, response_headers = $5, response_body = $6
     WHERE org_id = $1 AND key = $2 AND claim_token = $3 AND state = 'in_progress'`,
    [orgId, key, token, response.status, JSON.stringify(response.headers), response.body],
  );
  return rowCount > 0;
}

/** Renews a claim its request still holds, so no retry takes it over while the request runs. */
export async function renewKey(db: Queryable, orgId: string, key: string, token: string, now: Date): Promise<void> {
  await db.query(`UPDATE idempotency_keys SET locked_at = $4 WHERE org_id = $1 AND key = $2 AND claim_token = $3 AND state = 'in_progress'`, [
    orgId,
    key,
    token,
    now,
  ]);
}

/** Forgets a claim whose request did nothing worth remembering, so a corrected retry runs afresh. */
export async function releaseKey(db: Queryable, orgId: string, key: string, token: string): Promise<void> {
  await db.query(`DELETE FROM idempotency_keys WHERE org_id = $1 AND key = $2 AND claim_token = $3 AND state = 'in_progress'`, [orgId, key, token]);
}

/** Deletes records older than `before`; returns how many went. */
export async function deleteExpiredKeys(db: Queryable, before: Date): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM idempotency_keys WHERE created_at < $1', [before]);
  return rowCount;
}
