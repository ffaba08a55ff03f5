import { AppError } from '../errors/app-error';
import type { Queryable } from '../store/db';
import { insertChallenge, type CaptureKind, type ChallengeVersion, type FlashChallenge } from './challenges-repo';
import type { EngineConfig } from './engine-config';
import { randomSchedule } from './flash-schedule';
import { PALETTE, randomNonce, randomSequence, TIMED_PALETTE } from './flash-sequence';

export interface ChallengeRequest {
  orgId: string;
  customerId: string;
  kind: CaptureKind;
  /** The version asked for; the configured default when absent. */
  version?: ChallengeVersion;
}

/**
 * Draws and stores a flash challenge: version 1 is a sequence of the six primary and secondary colours;
 * version 2 (timed) draws from twelve hues and gives each colour a random window on screen, which the
 * client must honour and prove with a time per frame. A version under the deployment's minimum is refused.
 */
export async function issueChallenge(
  db: Queryable,
  config: EngineConfig['challenge'],
  request: ChallengeRequest,
  now: Date,
): Promise<FlashChallenge> {
  const version = request.version ?? config.defaultVersion;
  if (version < config.minVersion) {
    throw new AppError('invalid_request', {
      params: { detail: `version: this deployment issues timed challenges only (version ${config.minVersion} or later)` },
      param: 'version',
    });
  }
  const timed = version === 2;
  const length = timed ? config.timed.sequenceLength : config.sequenceLength;
  return insertChallenge(db, {
    orgId: request.orgId,
    customerId: request.customerId,
    kind: request.kind,
    nonce: randomNonce(config.nonceBytes),
    sequence: randomSequence(length, timed ? TIMED_PALETTE : PALETTE),
    version,
    schedule: timed ? randomSchedule(length, config.timed) : null,
    createdAt: now,
    expiresAt: new Date(now.getTime() + config.ttlSeconds * 1000),
  });
}
