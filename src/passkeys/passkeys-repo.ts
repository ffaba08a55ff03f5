import { newId } from '../ids';
import type { Queryable } from '../store/db';

export type Ceremony = 'registration' | 'authentication';
export type DeviceType = 'singleDevice' | 'multiDevice';

export interface Passkey {
  id: string;
  orgId: string;
  customerId: string;
  /** The authenticator's credential id, base64url. */
  credentialId: string;
  /** The COSE public key; verification material only, never logged or returned. */
  publicKey: Uint8Array<ArrayBuffer>;
  counter: number;
  transports: string[];
  deviceType: DeviceType;
  backedUp: boolean;
  aaguid: string;
  name: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  cloneDetectedAt: Date | null;
}

interface PasskeyRow {
  id: string;
  org_id: string;
  customer_id: string;
  credential_id: string;
  public_key: Uint8Array;
  counter: number | string;
  transports: string[];
  device_type: DeviceType;
  backed_up: boolean;
  aaguid: string;
  name: string | null;
  created_at: Date;
  last_used_at: Date | null;
  clone_detected_at: Date | null;
}

const toPasskey = (r: PasskeyRow): Passkey => ({
  id: r.id,
  orgId: r.org_id,
  customerId: r.customer_id,
  credentialId: r.credential_id,
  // pg gives a Buffer, PGlite a Uint8Array: copy into a plain one either way.
  publicKey: new Uint8Array(r.public_key),
  counter: Number(r.counter),
  transports: r.transports,
  deviceType: r.device_type,
  backedUp: r.backed_up,
  aaguid: r.aaguid,
  name: r.name,
  createdAt: new Date(r.created_at),
  lastUsedAt: r.last_used_at ? new Date(r.last_used_at) : null,
  cloneDetectedAt: r.clone_detected_at ? new Date(r.clone_detected_at) : null,
});

export async function insertChallenge(
  db: Queryable,
  input: { orgId: string; customerId: string; ceremony: Ceremony; challenge: string; createdAt: Date; expiresAt: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO webauthn_challenges (id, org_id, customer_id, ceremony, challenge, expires_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [newId('chl'), input.orgId, input.customerId, input.ceremony, input.challenge, input.expiresAt, input.createdAt],
  );
}

/** Challenges of this customer that expired before `before`: nothing can answer them any more. */
export async function deleteStaleChallenges(db: Queryable, orgId: string, customerId: string, before: Date): Promise<void> {
  await db.query('DELETE FROM webauthn_challenges WHERE org_id = $1 AND customer_id = $2 AND expires_at < $3', [orgId, customerId, before]);
}

export type ConsumeOutcome = 'consumed' | 'expired' | 'unknown_or_used';

/**
 * Uses the challenge issued to this org and customer for this ceremony, if it is still unused and
 * unexpired at `at`. One conditional UPDATE, so of any number of concurrent callers exactly one gets
 * `consumed`. A miss is then told apart: `expired` for an unused challenge past its TTL, otherwise
 * `unknown_or_used` (never issued here, issued for another customer or ceremony, or already used).
 */
export async function consumeChallenge(
  db: Queryable,
  scope: { orgId: string; customerId: string; ceremony: Ceremony },
  challenge: string,
  at: Date,
): Promise<ConsumeOutcome> {
  const params = [challenge, scope.orgId, scope.customerId, scope.ceremony];
  const used = await db.query(
    `UPDATE webauthn_challenges SET consumed_at = $5
      WHERE challenge = $1 AND org_id = $2 AND customer_id = $3 AND ceremony = $4
        AND consumed_at IS NULL AND expires_at > $5
      RETURNING id`,
    [...params, at],
  );
  if (used.rows.length === 1) return 'consumed';
  const { rows } = await db.query<{ consumed_at: Date | null }>(
    'SELECT consumed_at FROM webauthn_challenges WHERE challenge = $1 AND org_id = $2 AND customer_id = $3 AND ceremony = $4',
    params,
  );
  const row = rows[0];
  return row && row.consumed_at === null ? 'expired' : 'unknown_or_used';
}

/** Stores a verified credential, or returns null when this org already has one with the same credential id. */
export async function insertPasskey(
  db: Queryable,
  input: Omit<Passkey, 'id' | 'publicKey' | 'lastUsedAt' | 'cloneDetectedAt'> & { publicKey: Uint8Array },
): Promise<Passkey | null> {
  const { rows } = await db.query<PasskeyRow>(
    `INSERT INTO passkeys (id, org_id, customer_id, credential_id, public_key, counter, transports, device_type, backed_up, aaguid, name, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (org_id, credential_id) DO NOTHING RETURNING *`,
    [
      newId('pk'),
      input.orgId,
      input.customerId,
      input.credentialId,
      Buffer.from(input.publicKey),
      input.counter,
      input.transports,
      input.deviceType,
      input.backedUp,
      input.aaguid,
      input.name,
      input.createdAt,
    ],
  );
  return rows[0] ? toPasskey(rows[0]) : null;
}

/** The customer's passkeys, oldest first. */
export async function listPasskeys(db: Queryable, orgId: string, customerId: string): Promise<Passkey[]> {
  const { rows } = await db.query<PasskeyRow>('SELECT * FROM passkeys WHERE org_id = $1 AND customer_id = $2 ORDER BY seq', [
    orgId,
    customerId,
  ]);
  return rows.map(toPasskey);
}

export async function findPasskeyByCredentialId(
  db: Queryable,
  orgId: string,
  customerId: string,
  credentialId: string,
): Promise<Passkey | null> {
  const { rows } = await db.query<PasskeyRow>('SELECT * FROM passkeys WHERE org_id = $1 AND customer_id = $2 AND credential_id = $3', [
    orgId,
    customerId,
    credentialId,
  ]);
  return rows[0] ? toPasskey(rows[0]) : null;
}

/**
 * Records a verified assertion if its counter moves the stored one forward (or both are 0: an
 * authenticator without a counter). One conditional UPDATE, so two assertions carrying the same counter
 * cannot both pass. Null means the counter did not increase.
 */
export async function recordAssertion(
  db: Queryable,
  id: string,
  update: { counter: number; backedUp: boolean; at: Date },
): Promise<Passkey | null> {
  const { rows } = await db.query<PasskeyRow>(
    `UPDATE passkeys SET counter = $2, backed_up = $3, last_used_at = $4
      WHERE id = $1 AND (counter < $2 OR ($2 = 0 AND counter = 0))
      RETURNING *`,
    [id, update.counter, update.backedUp, update.at],
  );
  return rows[0] ? toPasskey(rows[0]) : null;
}

export async function markCloneDetected(db: Queryable, id: string, at: Date): Promise<void> {
  await db.query('UPDATE passkeys SET clone_detected_at = $2 WHERE id = $1', [id, at]);
}

export async function deletePasskey(db: Queryable, orgId: string, customerId: string, id: string): Promise<Passkey | null> {
  const { rows } = await db.query<PasskeyRow>('DELETE FROM passkeys WHERE id = $1 AND org_id = $2 AND customer_id = $3 RETURNING *', [
    id,
    orgId,
    customerId,
  ]);
  return rows[0] ? toPasskey(rows[0]) : null;
}
