import type { FaceQuality } from '../engine/face-analysis/face-quality';
import { descriptorFromBytes, descriptorToBytes } from '../engine/face-analysis/similarity';
import { newId } from '../ids';
import type { Queryable } from '../store/db';

export const ENROLLMENT_SOURCES = ['selfie_capture', 'ktp_extract', 'dukcapil', 'upload'] as const;
export type EnrollmentSource = (typeof ENROLLMENT_SOURCES)[number];

/** A customer's reference face. */
export interface Enrollment {
  id: string;
  orgId: string;
  customerId: string;
  source: EnrollmentSource;
  captureBundleId: string | null;
  verificationId: string | null;
  descriptor: Float32Array;
  quality: FaceQuality;
  status: 'active' | 'inactive';
  deactivatedAt: Date | null;
  deactivatedReason: string | null;
  retainUntil: Date;
  createdAt: Date;
}

interface EnrollmentRow {
  id: string;
  org_id: string;
  customer_id: string;
  source: EnrollmentSource;
  capture_bundle_id: string | null;
  verification_id: string | null;
  descriptor: Uint8Array;
  quality_detail: FaceQuality;
  status: 'active' | 'inactive';
  deactivated_at: Date | null;
  deactivated_reason: string | null;
  retain_until: Date;
  created_at: Date;
}

const toEnrollment = (r: EnrollmentRow): Enrollment => ({
  id: r.id,
  orgId: r.org_id,
  customerId: r.customer_id,
  source: r.source,
  captureBundleId: r.capture_bundle_id,
  verificationId: r.verification_id,
  descriptor: descriptorFromBytes(r.descriptor),
  quality: r.quality_detail,
  status: r.status,
  deactivatedAt: r.deactivated_at ? new Date(r.deactivated_at) : null,
  deactivatedReason: r.deactivated_reason,
  retainUntil: new Date(r.retain_until),
  createdAt: new Date(r.created_at),
});

export interface NewEnrollment {
  orgId: string;
  customerId: string;
  source: EnrollmentSource;
  captureBundleId?: string;
  verificationId?: string;
  descriptor: Float32Array;
  quality: FaceQuality;
  retainUntil: Date;
  createdAt: Date;
}

/** Inserts an active enrollment; a bundle that is already enrolled answers its existing enrollment instead. */
export async function insertEnrollment(db: Queryable, e: NewEnrollment): Promise<{ enrollment: Enrollment; created: boolean }> {
  const { rows } = await db.query<EnrollmentRow>(
    `INSERT INTO face_enrollments (id, org_id, customer_id, source, capture_bundle_id, verification_id, descriptor, quality,
       quality_detail, status, retain_until, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $11)
     ON CONFLICT (org_id, capture_bundle_id) WHERE capture_bundle_id IS NOT NULL DO NOTHING
     RETURNING *`,
    [
      newId('enr'),
      e.orgId,
      e.customerId,
      e.source,
      e.captureBundleId ?? null,
      e.verificationId ?? null,
      descriptorToBytes(e.descriptor),
      e.quality.score,
      JSON.stringify(e.quality),
      e.retainUntil,
      e.createdAt,
    ],
  );
  if (rows[0]) return { enrollment: toEnrollment(rows[0]), created: true };
  const { rows: existing } = await db.query<EnrollmentRow>('SELECT * FROM face_enrollments WHERE org_id = $1 AND capture_bundle_id = $2', [
    e.orgId,
    e.captureBundleId,
  ]);
  return { enrollment: toEnrollment(existing[0] as EnrollmentRow), created: false };
}

/** One of the org's enrollments within retention, or null (another org's id is null too). */
export async function findEnrollment(db: Queryable, orgId: string, id: string, now: Date): Promise<Enrollment | null> {
  const { rows } = await db.query<EnrollmentRow>('SELECT * FROM face_enrollments WHERE id = $1 AND org_id = $2 AND retain_until > $3', [
    id,
    orgId,
    now,
  ]);
  return rows[0] ? toEnrollment(rows[0]) : null;
}

/** The customer's enrollments within retention, oldest first; only the active ones when `activeOnly`. */
export async function listEnrollments(
  db: Queryable,
  q: { orgId: string; customerId: string; now: Date; activeOnly?: boolean },
): Promise<Enrollment[]> {
  const { rows } = await db.query<EnrollmentRow>(
    `SELECT * FROM face_enrollments WHERE org_id = $1 AND customer_id = $2 AND retain_until > $3 ${q.activeOnly ? "AND status = 'active'" : ''}
     ORDER BY seq`,
    [q.orgId, q.customerId, q.now],
  );
  return rows.map(toEnrollment);
}

/** Deactivates an active enrollment; returns it as it now is, or null if there is no such enrollment. */
export async function deactivateEnrollment(db: Queryable, orgId: string, id: string, reason: string, now: Date): Promise<Enrollment | null> {
  await db.query(
    `UPDATE face_enrollments SET status = 'inactive', deactivated_at = $3, deactivated_reason = $4
     WHERE id = $1 AND org_id = $2 AND status = 'active'`,
    [id, orgId, now, reason],
  );
  return findEnrollment(db, orgId, id, now);
}

/** Erases enrollments past their retention (their descriptors are biometric); returns how many went. */
export async function deleteExpiredEnrollments(db: Queryable, now: Date): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM face_enrollments WHERE retain_until <= $1', [now]);
  return rowCount;
}
