import { z } from 'zod';
import { requireCustomer } from '../customers/require-customer';
import type { AppDeps, Caller } from '../deps';
import { AppError, isAppError } from '../errors/app-error';
import { insertEnrollment } from '../faces/enrollments-repo';
import { enrollmentOf } from '../faces/new-enrollment';
import { newId } from '../ids';
import { announceEvents } from '../webhooks/announce';
import { recordEvent } from '../webhooks/events-repo';
import type { Queryable } from '../store/db';
import { hmacKeyOf } from '../tenancy/keys-repo';
import { signatureMatches } from './bundle-signature';
import {
  findCaptureByReplayDigest,
  findLatestSelfieFace,
  insertCapture,
  isUniqueViolation,
  type CaptureBundle,
  type OriginalResponse,
  type Verdicts,
} from './captures-repo';
import { consumeChallenge, findChallengeByNonce, type FlashChallenge } from './challenges-repo';
import { frameOutsideSchedule } from './flash-schedule';
import { analysisTask, type Engine } from './engine';
import { presentCapture } from './present';
import { replayDigest } from './replay-guard';
import { captureVerdicts } from './capture-verdicts';

export const CaptureBody = z
  .object({
    customerId: z.string().min(1).max(64),
    kind: z.enum(['selfie', 'ktp']),
    flashChallengeNonce: z.string().min(1).max(256),
    /** When the client finished capturing, ISO 8601; part of what makes two bundles different. */
    timestamp: z.iso.datetime({ offset: true }),
    /** Base64 images; their count and size are checked by the handler so they answer `frames empty or too large`. */
    frames: z.array(z.string()),
    signature: z.string().max(256),
    /**
     * Timed (version 2) challenges only: when each frame was taken, in ms after the first colour appeared,
     * one per colour; each must lie in its colour's window (the challenge's `schedule`) once settled.
     */
    frameTimes: z.array(z.number().int().min(0).max(600_000)).max(64).optional(),
    /** KTP only: the NIK, birth date (YYYY-MM-DD) and sex as read from the card, for the nik_checksum voter. */
    nik: z.string().max(32).optional(),
    birthDate: z.iso.date().optional(),
    sex: z.enum(['male', 'female']).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.kind !== 'ktp') return;
    for (const field of ['nik', 'birthDate', 'sex'] as const) {
      if (b[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'required for KTP captures' });
    }
  });
export type CaptureBody = z.infer<typeof CaptureBody>;

/** The per-key rate-limit operation of a capture (config/rate-limits.json): seed 000 limits KTP captures. */
export const captureRateLimit = (body: CaptureBody) => (body.kind === 'ktp' ? 'ktp.capture' : 'selfie.capture');

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export interface SubmitInput {
  caller: Caller;
  body: CaptureBody;
  /** The body as parsed from JSON, before validation: the bytes the client signed. */
  rawBody: Record<string, unknown>;
  /**
   * The answer a refused bundle got, as its replays will repeat it (409 `replay detected` carries the first
   * answer): the caller's serialisation of the error, since it knows how errors are answered.
   */
  answerOf(error: AppError): OriginalResponse;
}

/**
 * POST /v1/captures, in seed 000's order once the caller took the key's rate-limit slot (captureRateLimit):
 * frame bounds, signature (constant time, before any image is decoded), replay, customer, challenge
 * (unknown, expired, consumed), pixel analysis in the worker pool, then one transaction that consumes the
 * challenge and stores the bundle with its verdicts. Returns the stored bundle; a spoof or a tamper is
 * stored too, then thrown as its verdict error.
 */
export async function submitCapture(deps: AppDeps, input: SubmitInput): Promise<CaptureBundle> {
  const { engine } = deps;
  const { caller, body } = input;
  const { maxFrames, maxFrameBase64Chars } = engine.config.capture;
  if (body.frames.length === 0 || body.frames.length > maxFrames || body.frames.some((f) => f.length > maxFrameBase64Chars)) {
    throw new AppError('frames_invalid', { param: 'frames' });
  }
  const hmacKey = await hmacKeyOf(deps.db, deps.keys, caller.orgId, caller.keyId);
  if (!hmacKey || !signatureMatches(input.rawBody, hmacKey, body.signature))
    throw new AppError('bundle_signature_invalid', { param: 'signature' });

  const digest = replayDigest(body.signature, body.timestamp);
  await refuseReplay(deps, engine, caller.orgId, digest);
  try {
    const capture = await process(deps, engine, input, digest);
    // Best effort: the bundle is committed, and its row answers replays if Redis did not record this.
    await engine.replay.remember(caller.orgId, digest, capture.response).catch(() => undefined);
    return capture;
  } catch (err) {
    if (isAppError(err) && err.status < 500 && err.code !== 'replay_detected') {
      await engine.replay.remember(caller.orgId, digest, input.answerOf(err)).catch(() => undefined);
    } else if (!(isAppError(err) && err.code === 'replay_detected')) {
      await engine.replay.release(caller.orgId, digest).catch(() => undefined);
    }
    throw err;
  }
}

async function refuseReplay(deps: AppDeps, engine: Engine, orgId: string, digest: string): Promise<void> {
  let claim;
  try {
    claim = await engine.replay.claim(orgId, digest);
  } catch (cause) {
    throw new AppError('service_unavailable', { params: { dependency: 'redis' }, cause });
  }
  if (!claim.first) throw replayError(claim.original);
  // Redis may have lost the key (failover, flush): the stored bundle still remembers.
  const stored = await findCaptureByReplayDigest(deps.db, orgId, digest);
  if (stored) throw replayError(stored.response);
}

/** 409 carrying the first submission's answer; null while that one is still being processed. */
const replayError = (original: OriginalResponse | null) =>
  new AppError('replay_detected', { param: 'signature', details: { originalResponse: original } });

async function process(deps: AppDeps, engine: Engine, input: SubmitInput, digest: string): Promise<CaptureBundle> {
  const { caller, body } = input;
  const now = deps.now();
  await requireCustomer(deps.db, caller.orgId, body.customerId);
  const challenge = await findChallengeByNonce(
    deps.db,
    { orgId: caller.orgId, customerId: body.customerId, kind: body.kind },
    body.flashChallengeNonce,
  );
  if (!challenge) throw new AppError('flash_challenge_nonce_mismatch', { param: 'flashChallengeNonce' });
  if (challenge.expiresAt <= now) throw new AppError('flash_challenge_expired', { param: 'flashChallengeNonce' });
  if (challenge.consumedAt) throw new AppError('flash_challenge_consumed', { param: 'flashChallengeNonce' });
  refuseTimestampOutsideWindow(body.timestamp, challenge, engine.config.capture.clockSkewSeconds);
  refuseFramesOffSchedule(body, challenge, engine.config.challenge.timed.settleMs);

  const images: Buffer[] = [];
  for (const [i, frame] of body.frames.entries()) {
    if (!BASE64.test(frame)) throw undecodable(i);
    images.push(Buffer.from(frame, 'base64'));
  }
  const analysis = await engine.pool.run(analysisTask(engine.config, body.kind, images, challenge.sequence)).catch((cause: unknown) => {
    // A timed-out or crashed worker is our failure, not the bundle's: 503, and the replay claim is released.
    throw new AppError('service_unavailable', { params: { dependency: 'frame analysis' }, cause });
  });
  if (!analysis.ok) throw undecodable(analysis.undecodableFrame);
  const face = analysis.face ? { descriptor: analysis.face.descriptor, quality: analysis.face.quality } : null;

  const selfieFace = body.kind === 'ktp' ? await findLatestSelfieFace(deps.db, caller.orgId, body.customerId, now) : null;
  const verdicts = captureVerdicts({
    kind: body.kind,
    analysis,
    selfieFace,
    thresholds: engine.config.thresholds,
    ...(body.kind === 'ktp' && { claims: { nik: body.nik ?? '', birthDate: body.birthDate ?? '', sex: body.sex ?? 'male' } }),
  });
  return persist(deps, engine, input, {
    challenge,
    digest,
    now,
    ...verdicts,
    face,
    frameBytes: images.reduce((s, b) => s + b.length, 0),
  });
}

/**
 * A genuine KTP's portrait becomes the customer's `ktp_extract` reference, in the bundle's transaction, so
 * a later match against the pool has something to compare with. A portrait too poor to match well is not
 * enrolled (its quality is still on the bundle).
 */
async function enrollCardPortrait(tx: Queryable, engine: Engine, capture: CaptureBundle): Promise<void> {
  if (capture.kind !== 'ktp' || capture.status !== 'passed' || !capture.face) return;
  const enrollment = enrollmentOf(engine.config.face, {
    orgId: capture.orgId,
    customerId: capture.customerId,
    source: 'ktp_extract',
    captureBundleId: capture.id,
    sample: capture.face,
    createdAt: capture.createdAt,
  });
  if (enrollment) await insertEnrollment(tx, enrollment);
}

/**
 * Frames taken under a sequence can only exist between the challenge's issue and its expiry. A bundle
 * stamped outside that window (beyond the allowed clock skew) was not captured under this challenge:
 * frames recorded earlier, or a bundle assembled later from stored frames.
 */
function refuseTimestampOutsideWindow(timestamp: string, challenge: FlashChallenge, skewSeconds: number): void {
  const at = Date.parse(timestamp);
  const skew = skewSeconds * 1000;
  if (at >= challenge.createdAt.getTime() - skew && at <= challenge.expiresAt.getTime() + skew) return;
  throw new AppError('invalid_request', {
    params: {
      detail: `timestamp: outside the flash challenge's window (${challenge.createdAt.toISOString()} to ${challenge.expiresAt.toISOString()})`,
    },
    param: 'timestamp',
  });
}

/**
 * A timed challenge's frames must each be taken inside its colour's window: one frame per colour, each
 * with its time. A version 1 challenge has no windows, so frame times sent with it are a client's mistake.
 */
function refuseFramesOffSchedule(body: CaptureBody, challenge: FlashChallenge, settleMs: number): void {
  const refuse = (param: string, detail: string) => new AppError('invalid_request', { params: { detail: `${param}: ${detail}` }, param });
  if (!challenge.schedule) {
    if (body.frameTimes) throw refuse('frameTimes', 'only for timed (version 2) challenges');
    return;
  }
  if (!body.frameTimes) throw refuse('frameTimes', 'required for a timed (version 2) challenge: when each frame was taken');
  if (body.frames.length !== challenge.schedule.length) {
    throw refuse('frames', `a timed challenge takes one frame per colour (${challenge.schedule.length}), ${body.frames.length} given`);
  }
  const off = frameOutsideSchedule(body.frameTimes, challenge.schedule, settleMs);
  if (off) throw refuse(body.frameTimes.length === challenge.schedule.length ? `frameTimes.${off.frame}` : 'frameTimes', off.why);
}

const undecodable = (i: number) =>
  new AppError('invalid_request', { params: { detail: `frames.${i}: not a decodable image` }, param: `frames.${i}` });

interface Outcome {
  challenge: FlashChallenge;
  digest: string;
  now: Date;
  antiSpoof: Verdicts;
  tamper: Verdicts | null;
  status: CaptureBundle['status'];
  face: CaptureBundle['face'];
  frameBytes: number;
}

/**
 * Consumes the challenge and stores the bundle in one transaction, so a bundle exists exactly when its
 * challenge is used. Verdict failures are answered with 422 after the commit: the bundle stays.
 */
async function persist(deps: AppDeps, engine: Engine, input: SubmitInput, o: Outcome): Promise<CaptureBundle> {
  const { caller, body } = input;
  const spoof = o.antiSpoof.fused === 'spoof';
  const tampered = !spoof && o.tamper?.fused === 'fail';
  const capture: CaptureBundle = {
    id: newId('cap'),
    orgId: caller.orgId,
    keyId: caller.keyId,
    customerId: body.customerId,
    challengeId: o.challenge.id,
    kind: body.kind,
    status: o.status,
    frameCount: body.frames.length,
    frameBytes: o.frameBytes,
    bundleTimestamp: body.timestamp,
    replayDigest: o.digest,
    antiSpoof: o.antiSpoof,
    tamper: o.tamper,
    response: { status: 0, body: null },
    face: o.face,
    retainUntil: new Date(o.now.getTime() + engine.config.capture.bundleRetentionDays * 86_400_000),
    createdAt: o.now,
  };
  const verdictError = spoof ? 'liveness_failed' : tampered ? 'tamper_failed' : null;
  const error = verdictError
    ? new AppError(verdictError, { details: { captureBundleId: capture.id, antiSpoof: capture.antiSpoof, tamper: capture.tamper } })
    : null;
  capture.response = error ? input.answerOf(error) : { status: 201, body: presentCapture(capture) };

  let eventId: string;
  try {
    eventId = await deps.db.transaction(async (tx) => {
      if (!(await consumeChallenge(tx, o.challenge.id, o.now))) {
        // Lost the race for the nonce (or it expired meanwhile): nothing of this bundle is kept.
        const again = await findChallengeByNonce(
          tx,
          { orgId: caller.orgId, customerId: body.customerId, kind: body.kind },
          body.flashChallengeNonce,
        );
        throw new AppError(again?.consumedAt ? 'flash_challenge_consumed' : 'flash_challenge_expired', { param: 'flashChallengeNonce' });
      }
      await insertCapture(tx, capture);
      await enrollCardPortrait(tx, engine, capture);
      return recordEvent(tx, {
        orgId: capture.orgId,
        type: 'capture.completed',
        sandbox: caller.keyMode === 'test',
        data: { captureBundleId: capture.id, customerId: capture.customerId, kind: capture.kind, status: capture.status },
      });
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      const stored = await findCaptureByReplayDigest(deps.db, caller.orgId, o.digest);
      throw replayError(stored?.response ?? null);
    }
    throw err;
  }
  await announceEvents(deps, [eventId]);
  if (error) throw error;
  return capture;
}
