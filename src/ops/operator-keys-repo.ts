import { newId } from '../ids';
import type { Queryable } from '../store/db';
import type { KeyMaterial } from '../tenancy/key-material';

/** An operator's key: it belongs to no org and acts on the whole gateway. Made only by the CLI or start-up. */
export interface OperatorKey {
  id: string;
  name: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/** Returned once, at creation: the only moment the key is shown. */
export interface IssuedOperatorKey extends OperatorKey {
  key: string;
}

interface OperatorKeyRow {
  id: string;
  name: string;
  digest: Buffer | Uint8Array;
  created_at: Date;
  revoked_at: Date | null;
}

const toKey = (r: OperatorKeyRow): OperatorKey => ({ id: r.id, name: r.name, createdAt: r.created_at, revokedAt: r.revoked_at });

export async function issueOperatorKey(db: Queryable, material: KeyMaterial, name: string): Promise<IssuedOperatorKey> {
  const { plaintext, lookup, digest } = material.generateOperator();
  const { rows } = await db.query<OperatorKeyRow>('INSERT INTO operator_keys (id, name, lookup, digest) VALUES ($1, $2, $3, $4) RETURNING *', [
    newId('opk'),
    name,
    lookup,
    digest,
  ]);
  return { ...toKey(rows[0] as OperatorKeyRow), key: plaintext };
}

/** The active operator key a presented plaintext belongs to, or null; the digest comparison is constant-time. */
export async function authenticateOperatorKey(db: Queryable, material: KeyMaterial, plaintext: string): Promise<OperatorKey | null> {
  const lookup = material.parseOperator(plaintext);
  if (!lookup) return null;
  const { rows } = await db.query<OperatorKeyRow>('SELECT * FROM operator_keys WHERE lookup = $1 AND revoked_at IS NULL', [lookup]);
  const row = rows[0];
  return row && material.matches(plaintext, Buffer.from(row.digest)) ? toKey(row) : null;
}

/** The operator key of this id while it is not revoked, or null (a console session ends with its key). */
export async function findActiveOperatorKey(db: Queryable, id: string): Promise<OperatorKey | null> {
  const { rows } = await db.query<OperatorKeyRow>('SELECT * FROM operator_keys WHERE id = $1 AND revoked_at IS NULL', [id]);
  return rows[0] ? toKey(rows[0]) : null;
}

export async function listOperatorKeys(db: Queryable): Promise<OperatorKey[]> {
  const { rows } = await db.query<OperatorKeyRow>('SELECT * FROM operator_keys ORDER BY created_at, id');
  return rows.map(toKey);
}

export async function revokeOperatorKey(db: Queryable, id: string, at: Date): Promise<OperatorKey | null> {
  const { rows } = await db.query<OperatorKeyRow>(
    'UPDATE operator_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING *',
    [id, at],
  );
  return rows[0] ? toKey(rows[0]) : null;
}
