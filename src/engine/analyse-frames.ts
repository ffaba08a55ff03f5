import type { CaptureKind } from './challenges-repo';
import type { EngineConfig } from './engine-config';
import type { Rgb } from './flash-sequence';
import { cropFrame } from './face-analysis/crop';
import { sampleOf, type FaceSample } from './face-analysis/describe';
import { detectFaces, type DetectedFace, type DetectOptions } from './face-analysis/face-model';
import { detectPortrait } from './face-analysis/portrait';
import { readCard, type CardReading } from './ocr/read-card';
import { decodeFrame, grownRegion, type RawFrame, type Region } from './pixels';
import { stabilised } from './stabilise';
import { cornealReflectionVote } from './voters/corneal-reflection';
import { faceOnCardVote } from './voters/face-on-card';
import { flashReflectanceVote } from './voters/flash-reflectance';
import { flashReliefVote } from './voters/flash-relief';
import { frameConsistencyVote } from './voters/frame-consistency';
import { hologramVote } from './voters/hologram';
import { photocopyVote } from './voters/photocopy';
import { screenReplayVote } from './voters/screen-replay';
import { singleFaceVote } from './voters/single-face';
import type { Vote } from './voter';

/**
 * Where things are in a frame. The capture UI frames the face in an oval guide, and the KTP card to
 * the frame's edges, so these are fixed fractions of the frame. The card layout follows the ID-1 e-KTP:
 * text on the left, photo on the right, the hologram patch just left of the photo's lower half.
 */
export const LAYOUT = {
  face: { x0: 0.3, y0: 0.2, x1: 0.7, y1: 0.75, ellipse: true },
  card: { x0: 0.03, y0: 0.05, x1: 0.97, y1: 0.95 },
  cardText: { x0: 0.05, y0: 0.3, x1: 0.55, y1: 0.9 },
  hologram: { x0: 0.6, y0: 0.62, x1: 0.7, y1: 0.82 },
  cardPhoto: { x0: 0.7, y0: 0.15, x1: 0.98, y1: 0.82 },
} satisfies Record<string, Region>;

export interface AnalysisTask {
  op: 'analyse';
  kind: CaptureKind;
  /** Encoded images (JPEG, PNG, WebP), already base64-decoded. */
  frames: Uint8Array[];
  sequence: Rgb[];
  maxSide: number;
  /** Longest side, in pixels, of the KTP frame the card portrait is cut from (config capture.portraitMaxSide). */
  portraitMaxSide: number;
  thresholds: EngineConfig['thresholds'];
  face: EngineConfig['face'];
  ocr: EngineConfig['ocr'];
}

/** `face` is the selfie's face or the card's portrait, for enrollment and matching; null when none was found. */
/** `card` is what the OCR read on a KTP (null for selfies); the tamper voters that need the client's claims are cast by the caller. */
export type AnalysisResult =
  | { ok: true; antiSpoof: Vote[]; tamper: Vote[]; face: FaceSample | null; card?: CardReading | null }
  | { ok: false; undecodableFrame: number };

/**
 * Decodes the frames and runs the voters: anti-spoof for every kind, the pixel tamper voters for KTP.
 * Frames are first stabilised on the middle one's subject (a hand-held phone shakes). Faces are looked
 * for in the middle frame of a selfie (the flash is mid-sequence, neither first nor last; its landmarks
 * place the relief and eye measurements; its neighbours when it shows none), and in the portrait area of the first KTP
 * frame, decoded at full resolution and cropped so the portrait is large (and looked at again with its
 * contrast stretched when that finds no confident face: a face found only so is sent to review).
 */
export async function analyseFrames(task: AnalysisTask): Promise<AnalysisResult> {
  const decoded: RawFrame[] = [];
  for (const [i, image] of task.frames.entries()) {
    try {
      decoded.push(await decodeFrame(image, task.maxSide));
    } catch {
      return { ok: false, undecodableFrame: i };
    }
  }
  const t = task.thresholds;
  const subject = task.kind === 'selfie' ? LAYOUT.face : LAYOUT.card;
  // Held in a hand, the phone shakes: every voter measures the frames moved back onto the middle one's subject.
  const { frames } = stabilised(decoded, subject, Math.floor(decoded.length / 2));
  // The reference light for exposure and white balance: the frame outside the face (grown, so hair and
  // ears stay out). A card fills its frame, leaving no reference but itself.
  const regions = task.kind === 'selfie' ? { subject, exclude: grownRegion(LAYOUT.face, 1.3) } : { subject };
  const detect = { detector: task.face.captureDetector, minScore: task.face.minDetectionScore };
  // The voters cast on both kinds have a card's band where it differs from a selfie's.
  const forKind = <B extends { pass: number; fail: number; ktp?: { pass: number; fail: number } }>(band: B): B =>
    task.kind === 'ktp' && band.ktp ? { ...band, ...band.ktp } : band;
  const antiSpoof = [
    flashReflectanceVote(frames, regions, task.sequence, forKind(t.flashReflectance)),
    frameConsistencyVote(frames, forKind(t.frameConsistency)),
    screenReplayVote(frames, subject, forKind(t.screenReplay)),
  ];
  if (task.kind === 'selfie') {
    const { frame: middle, faces } = await faceOfSelfie(frames, detect);
    const faceFlash = { frames, face: faces[0], regions, sequence: task.sequence };
    antiSpoof.push(
      flashReliefVote(faceFlash, t.flashRelief),
      cornealReflectionVote(faceFlash, t.cornealReflection),
      singleFaceVote(faces, middle, LAYOUT.face, t.singleFace),
    );
    return { ok: true, antiSpoof, tamper: [], face: sampleOf(middle, faces, task.face) };
  }
  // OCR runs in a child process, alongside the face detection below.
  const reading = readCard(task.frames, task.ocr).catch(() => null);
  // The portrait is small on a card: it is cut from the first frame at full resolution, not from the shrunk copy.
  const full = await decodeFrame(task.frames[0] as Uint8Array, task.portraitMaxSide);
  const { faces, frame: portrait, stretched } = await detectPortrait(cropFrame(full, LAYOUT.cardPhoto), detect, t.faceOnCard.pass);
  const tamper = [
    photocopyVote(frames, LAYOUT.card, t.photocopy),
    hologramVote(frames, LAYOUT.hologram, LAYOUT.cardText, t.hologram),
    faceOnCardVote(faces, t.faceOnCard, stretched),
  ];
  return { ok: true, antiSpoof, tamper, face: sampleOf(portrait, faces, task.face), card: await reading };
}

/**
 * The selfie's face, from the middle frame (mid-sequence, neither first nor last), or when the detector
 * finds none there, from its neighbours: spectacle lenses mirror the screen, and under one colour the
 * glare can hide the eyes from the detector while under the next it does not (on the capture lab's
 * calibration split this finds the face of 3 of 20 people with glasses). The frames are stabilised on
 * the middle one, so landmarks found in a neighbour sit on the same spots.
 */
async function faceOfSelfie(frames: RawFrame[], detect: DetectOptions): Promise<{ frame: RawFrame; faces: DetectedFace[] }> {
  const middle = Math.floor(frames.length / 2);
  let found = { frame: frames[middle] as RawFrame, faces: [] as DetectedFace[] };
  for (const i of [middle, middle - 1, middle + 1]) {
    const frame = frames[i];
    if (!frame) continue;
    const faces = await detectFaces(frame, detect);
    if (i === middle) found = { frame, faces };
    if (faces.length > 0) return { frame, faces };
  }
  return found;
}
