import type { Enrollment } from './enrollments-repo';
import type { FaceMatch } from './matches-repo';

// Descriptors never appear in a response: only where a face came from and how usable it is.

export const presentEnrollment = (e: Enrollment) => ({
  id: e.id,
  object: 'face_enrollment',
  customerId: e.customerId,
  source: e.source,
  captureBundleId: e.captureBundleId,
  verificationId: e.verificationId,
  quality: e.quality,
  status: e.status,
  deactivatedAt: e.deactivatedAt?.toISOString() ?? null,
  deactivatedReason: e.deactivatedReason,
  retainUntil: e.retainUntil.toISOString(),
  createdAt: e.createdAt.toISOString(),
});

export const presentMatch = (m: FaceMatch) => ({
  id: m.id,
  object: 'face_match',
  customerId: m.customerId,
  probe: { source: m.probeSource, captureBundleId: m.captureBundleId, quality: m.probeQuality },
  similarity: m.similarity,
  matched: m.matched,
  threshold: m.threshold,
  perReference: m.perReference,
  createdAt: m.createdAt.toISOString(),
});
