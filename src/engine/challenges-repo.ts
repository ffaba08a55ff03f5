import { newId } from '../ids';
import type { Queryable } from '../store/db';
import type { ColourWindow } from './flash-schedule';
import type { Rgb } from './flash-sequence';

export type CaptureKind = 'selfie' | 'ktp';

/** 1: colours only, frames spread over them; 2: timed, a window per colour and a stated time per frame. */
export type ChallengeVersion = 1 | 2;

export interface FlashChallenge {
  id: string;
  orgId: string;
  customerId: string;
  kind: CaptureKind;
  nonce: string;
  sequence: Rgb[];
  version: ChallengeVersion;
  /** Version 2: when each colour of `sequence` is on screen; null for version 1. */
  schedule: ColourWindow[] | null;
  expiresAt: Date;
  consumedAt: Date | null;
  createdAt: Date;
}

interface ChallengeRow {
  id: string;
  org_id: string;
  customer_id: string;
  kind: CaptureKind;
  nonce: string;
  sequence: Rgb[];
  version: number;
  schedule: ColourWindow[] | null;
  expires_at: Date;
  consumed_at: Date | null;
  created_at: Date;
}

const toChallenge = (r: ChallengeRow): FlashChallenge => ({
  id: r.id,
  orgId: r.org_id,
  customerId: r.customer_id,
  kind: r.kind,
  nonce: r.nonce,
  sequence: r.sequence,
  version: r.version === 2 ? 2 : 1,
  schedule: r.schedule,
  expiresAt: new Date(r.expires_at),
  consumedAt: r.consumed_at ? new Date(r.consumed_at) : null,
  createdAt: new Date(r.created_at),
});

export async function insertChallenge(
  db: Queryable,
  input: Pick<FlashChallenge, 'orgId' | 'customerId' | 'kind' | 'nonce' | 'sequence' | 'version' | 'schedule' | 'createdAt' | 'expiresAt'>,
): Promise<FlashChallenge> {
  const { rows } = await db.query<ChallengeRow>(
    `INSERT INTO flash_challenges (id, org_id, customer_id, kind, nonce, sequence, version, schedule, expires_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
    [
      newId('chl'),
      input.orgId,
      input.customerId,
      input.kind,
      input.nonce,
      JSON.stringify(input.sequence),
      input.version,
      input.schedule ? JSON.stringify(input.schedule) : null,
      input.expiresAt,
      input.createdAt,
    ],
  );
  return toChallenge(rows[0] as ChallengeRow);
}

/** The challenge issued to this org for this customer and kind under `nonce`, or null. */
export async function findChallengeByNonce(
  db: Queryable,
  scope: { orgId: string; customerId: string; kind: CaptureKind },
  nonce: string,
): Promise<FlashChallenge | null> {
  const { rows } = await db.query<ChallengeRow>(
    'SELECT * FROM flash_challenges WHERE nonce = $1 AND org_id = $2 AND customer_id = $3 AND kind = $4',
    [nonce, scope.orgId, scope.customerId, scope.kind],
  );
  return rows[0] ? toChallenge(rows[0]) : null;
}

/**
 * Marks the challenge used if it is still unused and unexpired at `at`. One conditional UPDATE, so of
 * any number of concurrent callers exactly one gets true.
 */
export async function consumeChallenge(db: Queryable, id: string, at: Date): Promise<boolean> {
  const { rows } = await db.query(
    'UPDATE flash_challenges SET consumed_at = $2 WHERE id = $1 AND consumed_at IS NULL AND expires_at > $2 RETURNING id',
    [id, at],
  );
  return rows.length === 1;
}
