import type { CaptureKind } from './challenges-repo';
import type { EngineConfig } from './engine-config';
import type { Rgb } from './flash-sequence';
import { cropFrame } from './face-analysis/crop';
import { sampleOf, type FaceSample } from './face-analysis/describe';
import { detectFaces } from './face-analysis/face-model';
import { decodeFrame, type RawFrame, type Region } from './pixels';
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
  thresholds: EngineConfig['thresholds'];
  face: EngineConfig['face'];
}

/** `face` is the selfie's face or the card's portrait, for enrollment and matching; null when none was found. */
export type AnalysisResult =
  { ok: true; antiSpoof: Vote[]; tamper: Vote[]; face: FaceSample | null } | { ok: false; undecodableFrame: number };

/**
 * Decodes the frames and runs the voters: anti-spoof for every kind, the pixel tamper voters for KTP.
 * Faces are looked for once: in the middle frame of a selfie (the flash is mid-sequence, neither first
 * nor last), and in the portrait area of the first KTP frame, cropped so the portrait is large.
 */
export async function analyseFrames(task: AnalysisTask): Promise<AnalysisResult> {
  const frames: RawFrame[] = [];
  for (const [i, image] of task.frames.entries()) {
    try {
      frames.push(await decodeFrame(image, task.maxSide));
    } catch {
      return { ok: false, undecodableFrame: i };
    }
  }
  const t = task.thresholds;
  const first = frames[0] as RawFrame;
  const subject = task.kind === 'selfie' ? LAYOUT.face : LAYOUT.card;
  const detect = { detector: task.face.captureDetector, minScore: task.face.minDetectionScore };
  const antiSpoof = [
    flashReflectanceVote(frames, subject, task.sequence, t.flashReflectance),
    frameConsistencyVote(frames, t.frameConsistency),
    screenReplayVote(first, subject, t.screenReplay),
  ];
  if (task.kind === 'selfie') {
    const middle = frames[Math.floor(frames.length / 2)] as RawFrame;
    const faces = await detectFaces(middle, detect);
    antiSpoof.push(flashReliefVote(frames, LAYOUT.face, t.flashRelief), singleFaceVote(faces, middle, LAYOUT.face, t.singleFace));
    return { ok: true, antiSpoof, tamper: [], face: sampleOf(middle, faces, task.face) };
  }
  const portrait = cropFrame(first, LAYOUT.cardPhoto);
  const faces = await detectFaces(portrait, detect);
  const tamper = [
    photocopyVote(frames, LAYOUT.card, t.photocopy),
    hologramVote(frames, LAYOUT.hologram, LAYOUT.cardText, t.hologram),
    faceOnCardVote(faces, t.faceOnCard),
  ];
  return { ok: true, antiSpoof, tamper, face: sampleOf(portrait, faces, task.face) };
}
