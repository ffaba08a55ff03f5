import type { CaptureKind } from './challenges-repo';
import type { EngineConfig } from './engine-config';
import type { Rgb } from './flash-sequence';
import { decodeFrame, type RawFrame, type Region } from './pixels';
import { flashReflectanceVote } from './voters/flash-reflectance';
import { frameConsistencyVote } from './voters/frame-consistency';
import { hologramVote } from './voters/hologram';
import { photocopyVote } from './voters/photocopy';
import { screenReplayVote } from './voters/screen-replay';
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
} satisfies Record<string, Region>;

export interface AnalysisTask {
  kind: CaptureKind;
  /** Encoded images (JPEG, PNG, WebP), already base64-decoded. */
  frames: Uint8Array[];
  sequence: Rgb[];
  maxSide: number;
  thresholds: EngineConfig['thresholds'];
}

export type AnalysisResult = { ok: true; antiSpoof: Vote[]; tamper: Vote[] } | { ok: false; undecodableFrame: number };

/** Decodes the frames and runs the pixel voters: anti-spoof for every kind, the pixel tamper voters for KTP. */
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
  const antiSpoof = [
    flashReflectanceVote(frames, subject, task.sequence, t.flashReflectance),
    frameConsistencyVote(frames, t.frameConsistency),
    screenReplayVote(first, subject, t.screenReplay),
  ];
  const tamper =
    task.kind === 'ktp'
      ? [photocopyVote(frames, LAYOUT.card, t.photocopy), hologramVote(frames, LAYOUT.hologram, LAYOUT.cardText, t.hologram)]
      : [];
  return { ok: true, antiSpoof, tamper };
}
