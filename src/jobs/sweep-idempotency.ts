import type { Db } from '../store/db';
import { deleteExpiredKeys } from '../store/idempotency-repo';

/** Deletes idempotency records older than the retention period (at least 24 h, config/gateway.json). */
export async function sweepIdempotency(db: Db, now: Date, retentionHours: number): Promise<{ deleted: number }> {
  const deleted = await deleteExpiredKeys(db, new Date(now.getTime() - retentionHours * 3_600_000));
  return { deleted };
}
