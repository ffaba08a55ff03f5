import { newId } from '../ids';
import type { Queryable } from '../store/db';
import type { KeyMaterial } from './key-material';
import type { KeyMode } from './key-mode';
import type { Scope } from './scopes';

export interface ApiKey {
  id: string;
  orgId: string;
  name: string;
  mode: KeyMode;
  scopes: Scope[];
  createdAt: Date;
  revokedAt: Date | null;
}

/** Returned once, at creation: the only moment the key and its hmacKey are shown. */
export interface IssuedKey extends ApiKey {
  key: string;
  hmacKey: string;
}

interface KeyRow {
  id: string;
  org_id: string;
  name: string;
  mode: KeyMode;
  lookup: string;
  digest: Buffer | Uint8Array;
  scopes: Scope[];
  hmac_key_enc: Buffer | Uint8Array;
  created_at: Date;
  revoked_at: Date | null;
}

const toKey = (r: KeyRow): ApiKey => ({
  id: r.id,
  orgId: r.org_id,
  name: r.name,
  mode: r.mode,
  scopes: r.scopes,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

export async function issueKey(
  db: Queryable,
  material: KeyMaterial,
  input: { orgId: string; name: string; mode: KeyMode; scopes: Scope[] },
  /** The key's material: a fresh one by default, or a derived one (KeyMaterial.derive). */
  { plaintext, lookup, digest } = material.generate(input.mode),
): Promise<IssuedKey> {
  const hmacKey = material.newHmacKey();
  const { rows } = await db.query<KeyRow>(
    `INSERT INTO api_keys (id, org_id, name, mode, lookup, digest, scopes, hmac_key_enc)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
    [newId('key'), input.orgId, input.name, input.mode, lookup, digest, input.scopes, material.seal(hmacKey)],
  );
  return { ...toKey(rows[0] as KeyRow), key: plaintext, hmacKey };
}

/** The active key a presented plaintext belongs to, or null; the digest comparison is constant-time. */
export async function authenticateKey(db: Queryable, material: KeyMaterial, plaintext: string): Promise<ApiKey | null> {
  const parsed = material.parse(plaintext);
  if (!parsed) return null;
  const { rows } = await db.query<KeyRow>('SELECT * FROM api_keys WHERE lookup = $1 AND revoked_at IS NULL', [parsed.lookup]);
  const row = rows[0];
  if (!row || row.mode !== parsed.mode) return null;
  return material.matches(plaintext, Buffer.from(row.digest)) ? toKey(row) : null;
}

/** The bundle-signing key of one of the org's keys (seed 000 captures are signed with it). */
export async function hmacKeyOf(db: Queryable, material: KeyMaterial, orgId: string, keyId: string): Promise<string | null> {
  const { rows } = await db.query<KeyRow>('SELECT hmac_key_enc FROM api_keys WHERE id = $1 AND org_id = $2', [keyId, orgId]);
  return rows[0] ? material.unseal(Buffer.from(rows[0].hmac_key_enc)) : null;
}

export async function listKeys(db: Queryable, orgId: string): Promise<ApiKey[]> {
  const { rows } = await db.query<KeyRow>('SELECT * FROM api_keys WHERE org_id = $1 ORDER BY created_at, id', [orgId]);
  return rows.map(toKey);
}

/** Revokes one of the org's keys; null when the id is unknown or another org's. */
export async function revokeKey(db: Queryable, orgId: string, keyId: string, at: Date): Promise<ApiKey | null> {
  const { rows } = await db.query<KeyRow>(
    `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $3) WHERE id = $1 AND org_id = $2 RETURNING *`,
    [keyId, orgId, at],
  );
  return rows[0] ? toKey(rows[0]) : null;
}
