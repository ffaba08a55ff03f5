import type { Queryable } from '../store/db';
import type { CaptureKind } from './challenges-repo';
import type { FaceQuality } from './face-analysis/face-quality';
import { descriptorFromBytes, descriptorToBytes } from './face-analysis/similarity';
import type { Vote } from './voter';

export type CaptureStatus = 'passed' | 'failed' | 'requires_review';

export interface Verdicts {
  /** `live`, `spoof` or `uncertain` for anti-spoof; `pass`, `fail` or `uncertain` for tamper. */
  fused: string;
  voters: Vote[];
}

/** The response a capture got, kept so a replay of the same bundle can be answered with it. */
export interface OriginalResponse {
  status: number;
  body: unknown;
}

export interface CaptureBundle {
  id: string;
  orgId: string;
  keyId: string;
  customerId: string;
  challengeId: string;
  kind: CaptureKind;
  status: CaptureStatus;
  frameCount: number;
  frameBytes: number;
  bundleTimestamp: string;
  replayDigest: string;
  antiSpoof: Verdicts;
  tamper: Verdicts | null;
  response: OriginalResponse;
  /** The selfie's face or the KTP portrait, for matching and enrollment; null when none was found. */
  face: { descriptor: Float32Array; quality: FaceQuality } | null;
  retainUntil: Date;
  createdAt: Date;
}

interface CaptureRow {
  id: string;
  org_id: string;
  key_id: string;
  customer_id: string;
  challenge_id: string;
  kind: CaptureKind;
  status: CaptureStatus;
  frame_count: number;
  frame_bytes: number;
  bundle_timestamp: string;
  replay_digest: string;
  anti_spoof: Verdicts;
  tamper: Verdicts | null;
  response_status: number;
  response_body: unknown;
  face_descriptor: Uint8Array | null;
  face_quality: FaceQuality | null;
  retain_until: Date;
  created_at: Date;
}

const toCapture = (r: CaptureRow): CaptureBundle => ({
  id: r.id,
  orgId: r.org_id,
  keyId: r.key_id,
  customerId: r.customer_id,
  challengeId: r.challenge_id,
  kind: r.kind,
  status: r.status,
  frameCount: r.frame_count,
  frameBytes: Number(r.frame_bytes),
  bundleTimestamp: r.bundle_timestamp,
  replayDigest: r.replay_digest,
  antiSpoof: r.anti_spoof,
  tamper: r.tamper,
  response: { status: r.response_status, body: r.response_body },
  face: r.face_descriptor && r.face_quality ? { descriptor: descriptorFromBytes(r.face_descriptor), quality: r.face_quality } : null,
  retainUntil: new Date(r.retain_until),
  createdAt: new Date(r.created_at),
});

export async function insertCapture(db: Queryable, c: CaptureBundle): Promise<void> {
  await db.query(
    `INSERT INTO capture_bundles (id, org_id, key_id, customer_id, challenge_id, kind, status, frame_count, frame_bytes,
       bundle_timestamp, replay_digest, anti_spoof, tamper, response_status, response_body, retain_until, created_at,
       face_descriptor, face_quality)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
    [
      c.id,
      c.orgId,
      c.keyId,
      c.customerId,
      c.challengeId,
      c.kind,
      c.status,
      c.frameCount,
      c.frameBytes,
      c.bundleTimestamp,
      c.replayDigest,
      JSON.stringify(c.antiSpoof),
      c.tamper ? JSON.stringify(c.tamper) : null,
      c.response.status,
      JSON.stringify(c.response.body),
      c.retainUntil,
      c.createdAt,
      c.face ? descriptorToBytes(c.face.descriptor) : null,
      c.face ? JSON.stringify(c.face.quality) : null,
    ],
  );
}

/** One of the org's captures that is still within retention, or null (another org's id is null too). */
export async function findCapture(db: Queryable, orgId: string, id: string, now: Date): Promise<CaptureBundle | null> {
  const { rows } = await db.query<CaptureRow>('SELECT * FROM capture_bundles WHERE id = $1 AND org_id = $2 AND retain_until > $3', [
    id,
    orgId,
    now,
  ]);
  return rows[0] ? toCapture(rows[0]) : null;
}

/** The org's capture submitted with this signature and timestamp (the durable half of replay detection). */
export async function findCaptureByReplayDigest(db: Queryable, orgId: string, digest: string): Promise<CaptureBundle | null> {
  const { rows } = await db.query<CaptureRow>('SELECT * FROM capture_bundles WHERE org_id = $1 AND replay_digest = $2', [orgId, digest]);
  return rows[0] ? toCapture(rows[0]) : null;
}

/** Postgres' unique_violation, as both drivers report it. */
export const isUniqueViolation = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === '23505';

/** Erases bundles past their retention (their verdicts are biometric-derived); returns how many went. */
export async function deleteExpiredCaptures(db: Queryable, now: Date): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM capture_bundles WHERE retain_until <= $1', [now]);
  return rowCount;
}

/**
 * The face of the customer's latest passed selfie capture still within retention, or null: what a KTP's
 * portrait is compared with (portrait_matches_selfie).
 */
export async function findLatestSelfieFace(db: Queryable, orgId: string, customerId: string, now: Date): Promise<Float32Array | null> {
  const { rows } = await db.query<{ face_descriptor: Uint8Array }>(
    `SELECT face_descriptor FROM capture_bundles
      WHERE org_id = $1 AND customer_id = $2 AND kind = 'selfie' AND status = 'passed' AND face_descriptor IS NOT NULL AND retain_until > $3
      ORDER BY seq DESC LIMIT 1`,
    [orgId, customerId, now],
  );
  return rows[0] ? descriptorFromBytes(rows[0].face_descriptor) : null;
}

/**
 * The review queue: captures of every org whose verdict was `requires_review`, still within retention,
 * newest first (operators only). Listed by what a reviewer reads (kind, fused verdicts and each voter),
 * never the frames, which are not kept, nor the face descriptor.
 */
export async function listCapturesForReview(db: Queryable, now: Date, limit: number): Promise<CaptureBundle[]> {
  const { rows } = await db.query<CaptureRow>(
    `SELECT * FROM capture_bundles WHERE status = 'requires_review' AND retain_until > $1 ORDER BY seq DESC LIMIT $2`,
    [now, limit],
  );
  return rows.map(toCapture);
}
