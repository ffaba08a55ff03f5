import { z } from 'zod';
import { readConfigFile } from '../config';

/** A score band: at or beyond `pass` the voter passes, at or beyond `fail` it fails, in between it is uncertain. */
const Band = z.object({ pass: z.number(), fail: z.number() }).strict();

/** A band for a voter cast on selfies and cards: the selfie's, and the card's where it differs (fitted per kind: a card's light and steadiness are not a face's). */
const KindBands = Band.extend({ ktp: Band.optional() });

const EngineFile = z
  .object({
    $comment: z.string().optional(),
    challenge: z
      .object({
        /** How long a flash challenge can be answered, in seconds. */
        ttlSeconds: z.number().int().positive(),
        /** Colours per sequence; 6 to 8 keeps the flash inside ~2.5 s at 3 flashes a second. */
        sequenceLength: z.number().int().min(4).max(16),
        /** Random bytes in a nonce (WebAuthn asks for at least 16). */
        nonceBytes: z.number().int().min(16).max(64),
        /** The challenge issued when the request names no `version`: 1 (colours only) or 2 (timed: twelve hues, random windows, a time per frame). */
        defaultVersion: z.union([z.literal(1), z.literal(2)]),
        /** Oldest version issued; 2 refuses requests for untimed challenges (once every client sends frame times). */
        minVersion: z.union([z.literal(1), z.literal(2)]),
        /** Version 2: the colours' random windows (src/engine/flash-schedule.ts). */
        timed: z
          .object({
            /** Colours per sequence, one frame each. */
            sequenceLength: z.number().int().min(4).max(12),
            /** Shortest time a colour stays on screen, in ms. */
            minColourMs: z.number().int().min(100),
            /** Longest time a colour stays on screen, in ms. */
            maxColourMs: z.number().int().max(2000),
            /** A frame counts for its colour only this many ms after the colour appeared (screen and exposure catch up). */
            settleMs: z.number().int().nonnegative(),
          })
          .strict()
          .refine((t) => t.maxColourMs >= t.minColourMs && t.minColourMs > t.settleMs, 'maxColourMs >= minColourMs > settleMs'),
      })
      .strict(),
    capture: z
      .object({
        /** Most frames in one bundle; with `maxFrameBase64Chars` it sizes the route's body limit. */
        maxFrames: z.number().int().positive(),
        /** Largest frame, in characters of base64 (seed 000: 12 MB). */
        maxFrameBase64Chars: z.number().int().positive(),
        /** How long a signature + timestamp pair is remembered in Redis for replay detection, in seconds. */
        replayWindowSeconds: z.number().int().positive(),
        /** How long a capture bundle's verdicts are kept before the retention sweep erases them, in days. */
        bundleRetentionDays: z.number().positive(),
        /** How far a bundle's timestamp may lie outside its challenge's issue-to-expiry window (client clocks drift), in seconds. */
        clockSkewSeconds: z.number().int().nonnegative(),
        /** Frames are downscaled so their longer side is at most this many pixels before the voters run. */
        analysisMaxSide: z.number().int().min(64).max(2048),
        /** KTP: the card portrait is cut from the first frame decoded with its longer side at most this many pixels (full resolution for phone frames). */
        portraitMaxSide: z.number().int().min(256).max(4096),
      })
      .strict(),
    pool: z
      .object({
        /** Worker threads decoding and analysing frames. */
        size: z.number().int().min(1).max(64),
        /** A capture whose analysis takes longer than this, in ms, fails with 503. */
        taskTimeoutMs: z.number().int().positive(),
        /** Tasks waiting for a worker beyond which new captures and matches are refused with 503 at once. */
        maxQueued: z.number().int().positive(),
      })
      .strict(),
    thresholds: z
      .object({
        /** Mean per-channel correlation of the subject's light (relative to the frame's background, which cancels exposure and white balance) with the issued sequence (higher is live). */
        flashReflectance: KindBands.extend({
          /** Smallest RMS change of that log ratio over the frames (0.01: 1%) that counts as a flash response. */
          minLogShift: z.number().nonnegative(),
        }).strict(),
        /** Lowest structural correlation between consecutive frames, once stabilised (higher is consistent). */
        frameConsistency: KindBands.strict(),
        /** Strongest narrow spatial frequency over its ring's median, in dB (lower is live; a screen's moire is a peak). */
        screenReplay: KindBands.strict(),
        /** Mean chroma after grey-world balancing (higher is a colour original; photocopies are grey). */
        photocopy: Band,
        /** Hologram patch's flash response over the card body's (higher is a real hologram). */
        hologram: Band,
        /** Smaller of the face's front-over-sides and front-over-chin flash response, relative to the face's (higher is a head; sheets give ~0 on one). */
        flashRelief: Band.extend({
          /** Least flash response of the face against the background (log units per full colour step) for the shape to be measured. */
          minFaceResponse: z.number().nonnegative(),
        }).strict(),
        /** Flash response of the eyes' highlights over the face's (higher is a mirrored screen in real corneas; tints give about 1). */
        cornealReflection: Band.extend({
          /** As flashRelief's: least face response for the comparison to be made. */
          minFaceResponse: z.number().nonnegative(),
        }).strict(),
        /** Face detector confidence for the one face in a selfie (higher is surer). */
        singleFace: Band,
        /** Face detector confidence for the portrait in the card's photo area (higher is surer). */
        faceOnCard: Band,
        /** Similarity of the card portrait to the customer's latest passed selfie (higher is the same person). */
        portraitMatchesSelfie: Band,
      })
      .strict(),
    ocr: z
      .object({
        /** The tesseract binary that reads KTP text, offline (Debian packages tesseract-ocr and tesseract-ocr-ind). */
        command: z.string().min(1),
        /** A card not read within this many ms counts as not legible. */
        timeoutMs: z.number().int().positive(),
      })
      .strict(),
    face: z
      .object({
        /** Detector for selfie frames and card portraits, where the face is large: `tiny` (fast), `ssd` or `auto` (see face-model.ts). */
        captureDetector: z.enum(['tiny', 'ssd', 'auto']),
        /** Detector for uploaded images (`liveImage`, `referenceImage`, upload enrollments), where faces may also be small. */
        uploadDetector: z.enum(['tiny', 'ssd', 'auto']),
        /** Detections below this confidence (0 to 1) are not faces. */
        minDetectionScore: z.number().min(0).max(1),
        /** Similarity (0 to 1, see src/engine/face-analysis/similarity.ts) at and above which two faces match. */
        matchThreshold: z.number().min(0).max(1),
        /** Uploaded images are downscaled so their longer side is at most this many pixels before detection. */
        imageMaxSide: z.number().int().min(160).max(2048),
        /** Largest uploaded image, in characters of base64 (as for capture frames). */
        maxImageBase64Chars: z.number().int().positive(),
        /** A reference whose quality score (0 to 1) is below this is refused for enrollment. */
        minEnrollmentQuality: z.number().min(0).max(1),
        /** How long an enrollment's descriptor is kept, in days, before the sweep erases it. */
        enrollmentRetentionDays: z.number().positive(),
        quality: z
          .object({
            /** Laplacian variance (0-255 luminance) at and above which a face counts as fully sharp. */
            sharpVariance: z.number().positive(),
            /** Share of near-white pixels in the face at which glare scores 0. */
            maxGlareShare: z.number().positive().max(1),
            /** Shorter face side, in pixels, at and above which size scores 1 (the recognition net's input is 150). */
            goodFacePixels: z.number().positive(),
          })
          .strict(),
      })
      .strict(),
  })
  .strict();

export type EngineConfig = z.infer<typeof EngineFile>;

let cached: EngineConfig | undefined;

/** config/engine.json, validated once per process. */
export function engineConfig(): EngineConfig {
  cached ??= readConfigFile('engine.json', EngineFile);
  return cached;
}
