import { round } from '../engine/voter';
import type { FaceQuality } from '../engine/face-analysis/face-quality';
import { newId } from '../ids';
import type { Queryable } from '../store/db';
import type { EnrollmentSource } from './enrollments-repo';

/** One reference a probe was compared with (seed 000's `perReference[]`). */
export interface ReferenceScore {
  /** The enrollment compared with, or null for a `referenceImage` sent with the request. */
  faceEnrollmentId: string | null;
  source: EnrollmentSource | 'reference_image';
  quality: number;
  similarity: number;
  matched: boolean;
}

export interface FaceMatch {
  id: string;
  orgId: string;
  keyId: string;
  customerId: string;
  probeSource: 'capture_bundle' | 'live_image';
  captureBundleId: string | null;
  /** Kept in the response only; the table stores scores, not the probe's quality detail. */
  probeQuality: FaceQuality | null;
  similarity: number;
  matched: boolean;
  threshold: number;
  perReference: ReferenceScore[];
  createdAt: Date;
}

interface MatchRow {
  id: string;
  org_id: string;
  key_id: string;
  customer_id: string;
  probe_source: FaceMatch['probeSource'];
  capture_bundle_id: string | null;
  similarity: number;
  matched: boolean;
  threshold: number;
  per_reference: ReferenceScore[];
  created_at: Date;
}

const toMatch = (r: MatchRow): FaceMatch => ({
  id: r.id,
  orgId: r.org_id,
  keyId: r.key_id,
  customerId: r.customer_id,
  probeSource: r.probe_source,
  captureBundleId: r.capture_bundle_id,
  probeQuality: null,
  similarity: round(Number(r.similarity)),
  matched: r.matched,
  threshold: round(Number(r.threshold)),
  perReference: r.per_reference,
  createdAt: new Date(r.created_at),
});

export async function insertMatch(db: Queryable, m: Omit<FaceMatch, 'id'>): Promise<FaceMatch> {
  const id = newId('mat');
  await db.query(
    `INSERT INTO face_matches (id, org_id, key_id, customer_id, probe_source, capture_bundle_id, similarity, matched, threshold,
       per_reference, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [id, m.orgId, m.keyId, m.customerId, m.probeSource, m.captureBundleId, m.similarity, m.matched, m.threshold, JSON.stringify(m.perReference), m.createdAt],
  );
  return { ...m, id };
}

export async function findMatch(db: Queryable, orgId: string, id: string): Promise<FaceMatch | null> {
  const { rows } = await db.query<MatchRow>('SELECT * FROM face_matches WHERE id = $1 AND org_id = $2', [id, orgId]);
  return rows[0] ? toMatch(rows[0]) : null;
}
