import { randomBytes } from 'node:crypto';
import type { AppDeps } from '../../src/deps';
import { insertCapture, type CaptureStatus } from '../../src/engine/captures-repo';
import { insertChallenge } from '../../src/engine/challenges-repo';

/**
 * A selfie capture with a verdict, stored through the engine's repositories as submitCapture stores one (a
 * challenge, then the bundle with its fused verdict and voters): the review queue's input, without
 * rendering frames whose voters land exactly in the uncertain band.
 */
export async function plantCapture(
  deps: AppDeps,
  t: { orgId: string; keyId: string; customerId: string },
  status: CaptureStatus,
): Promise<string> {
  const now = deps.now();
  const challenge = await insertChallenge(deps.db, {
    orgId: t.orgId,
    customerId: t.customerId,
    kind: 'selfie',
    nonce: randomBytes(8).toString('hex'),
    sequence: [],
    version: 1,
    schedule: null,
    createdAt: now,
    expiresAt: new Date(now.getTime() + 60_000),
  });
  const id = `cap_${randomBytes(8).toString('hex')}`;
  const uncertain = status === 'requires_review';
  await insertCapture(deps.db, {
    id,
    orgId: t.orgId,
    keyId: t.keyId,
    customerId: t.customerId,
    challengeId: challenge.id,
    kind: 'selfie',
    status,
    frameCount: 6,
    frameBytes: 60_000,
    bundleTimestamp: now.toISOString(),
    replayDigest: randomBytes(16).toString('hex'),
    antiSpoof: {
      fused: uncertain ? 'uncertain' : 'live',
      voters: [
        {
          name: 'flash_response',
          verdict: uncertain ? 'uncertain' : 'pass',
          score: uncertain ? 0.41 : 0.9,
          detail: 'colour response to the flash sequence',
        },
        { name: 'moire', verdict: 'pass', score: 0.05, detail: 'screen moire energy' },
      ],
    },
    tamper: null,
    response: { status: 201, body: { id } },
    face: null,
    retainUntil: new Date(now.getTime() + 86_400_000),
    createdAt: now,
  });
  return id;
}
