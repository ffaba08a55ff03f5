import type { Queryable } from '../store/db';
import { toVerification, type Verification, type VerificationRow } from './verifications-repo';

/** Keeps an accepted asynchronous verification's input, sealed, until its run ends. */
export async function storeSealedInput(tx: Queryable, verificationId: string, sealed: Buffer): Promise<void> {
  await tx.query('INSERT INTO verification_inputs (verification_id, sealed) VALUES ($1, $2)', [verificationId, sealed]);
}

export async function sealedInputOf(db: Queryable, verificationId: string): Promise<Buffer | null> {
  const { rows } = await db.query<{ sealed: Buffer | Uint8Array }>('SELECT sealed FROM verification_inputs WHERE verification_id = $1', [
    verificationId,
  ]);
  const r = rows[0];
  return r ? Buffer.from(r.sealed) : null;
}

/** The input goes with the run's last write: nothing of it outlives the verification's answer. */
export async function deleteSealedInput(tx: Queryable, verificationId: string): Promise<void> {
  await tx.query('DELETE FROM verification_inputs WHERE verification_id = $1', [verificationId]);
}

/**
 * Takes an accepted asynchronous verification for a worker's run: while it is `processing`, either never
 * started (no call recorded) or left by a run whose lease ran out, so two runs never call for it at once; or
 * while its vendor flow waits (`pending` with a next ask), which makes it `processing` again for this run
 * (its `completedAt` then still says when it was last answered). Returns it, or null with whether it is still
 * processing (held by a live run) or already ended.
 */
export async function takeAccepted(
  tx: Queryable,
  id: string,
  now: Date,
  leaseUntil: Date,
): Promise<{ taken: Verification } | { taken: null; ended: boolean; exists: boolean }> {
  const { rows } = await tx.query<VerificationRow>(
    `UPDATE verifications v SET lease_until = $3, status = 'processing', resume_at = NULL
      WHERE v.id = $1 AND v.mode = 'async'
        AND ((v.status = 'processing'
              AND (v.lease_until < $2 OR NOT EXISTS (SELECT 1 FROM verification_attempts a WHERE a.verification_id = v.id)))
          OR (v.status = 'pending' AND v.resume_at IS NOT NULL))
      RETURNING v.*`,
    [id, now, leaseUntil],
  );
  if (rows[0]) return { taken: toVerification(rows[0]) };
  const found = await tx.query<{ status: string }>('SELECT status FROM verifications WHERE id = $1', [id]);
  const status = found.rows[0]?.status;
  return { taken: null, ended: status !== undefined && status !== 'processing', exists: status !== undefined };
}

/** Accepted asynchronous verifications no run has started since `before`: their job may have been lost. */
export async function listUnstartedAsync(db: Queryable, before: Date, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT v.id FROM verifications v
      WHERE v.status = 'processing' AND v.mode = 'async' AND v.created_at < $1
        AND NOT EXISTS (SELECT 1 FROM verification_attempts a WHERE a.verification_id = v.id)
      ORDER BY v.created_at LIMIT $2`,
    [before, limit],
  );
  return rows.map((r) => r.id);
}

/** Ends an accepted verification its run refused before any call (its customer gone, its input no longer taken). */
export async function endUnrun(tx: Queryable, id: string, errorCode: string, at: Date): Promise<Verification | null> {
  const { rows } = await tx.query<VerificationRow>(
    `UPDATE verifications SET status = 'error', error_code = $2, completed_at = $3 WHERE id = $1 AND status = 'processing' RETURNING *`,
    [id, errorCode, at],
  );
  return rows[0] ? toVerification(rows[0]) : null;
}
