import type { CaptureBundle } from './captures-repo';
import type { FlashChallenge } from './challenges-repo';

export const presentChallenge = (c: FlashChallenge) => ({
  id: c.id,
  object: 'flash_challenge',
  customerId: c.customerId,
  kind: c.kind,
  nonce: c.nonce,
  sequence: c.sequence,
  version: c.version,
  schedule: c.schedule,
  expiresAt: c.expiresAt.toISOString(),
});

export const presentCapture = (c: CaptureBundle) => ({
  id: c.id,
  object: 'capture_bundle',
  customerId: c.customerId,
  kind: c.kind,
  status: c.status,
  flashChallengeId: c.challengeId,
  frameCount: c.frameCount,
  timestamp: c.bundleTimestamp,
  antiSpoof: c.antiSpoof,
  tamper: c.tamper,
  // Whether a face was found and how usable it is; the descriptor itself never leaves the server.
  face: c.face ? { found: true, quality: c.face.quality } : { found: false },
  retainUntil: c.retainUntil.toISOString(),
  createdAt: c.createdAt.toISOString(),
});
