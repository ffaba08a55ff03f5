import type { EngineConfig } from '../engine-config';
import { decodeFrame, type RawFrame } from '../pixels';
import { detectFaces, type DetectedFace } from './face-model';
import { faceQuality, type FaceQuality } from './face-quality';

/** A face ready to be stored or compared: its descriptor, where it was and how good the image is. */
export interface FaceSample {
  descriptor: Float32Array;
  box: DetectedFace['box'];
  detectionScore: number;
  quality: FaceQuality;
}

export interface DescribeTask {
  op: 'describe';
  /** One encoded image, already base64-decoded. */
  frames: [Uint8Array];
  face: EngineConfig['face'];
}

/** `face` is null when no face was found; `undecodable` when the bytes are not an image. */
export type DescribeResult = { ok: true; faces: number; face: FaceSample | null } | { ok: false; undecodableFrame: number };

/** The most confident face of an uploaded image, with its quality (which drops to 0 if there are several). */
export async function describeImage(task: DescribeTask): Promise<DescribeResult> {
  let frame: RawFrame;
  try {
    frame = await decodeFrame(task.frames[0], task.face.imageMaxSide);
  } catch {
    return { ok: false, undecodableFrame: 0 };
  }
  const faces = await detectFaces(frame, { detector: task.face.uploadDetector, minScore: task.face.minDetectionScore });
  return { ok: true, faces: faces.length, face: sampleOf(frame, faces, task.face) };
}

/** The best face of `faces` as a sample, or null when there is none. */
export function sampleOf(frame: RawFrame, faces: readonly DetectedFace[], config: EngineConfig['face']): FaceSample | null {
  const best = faces[0];
  if (!best) return null;
  return {
    descriptor: best.descriptor,
    box: best.box,
    detectionScore: best.score,
    quality: faceQuality(frame, best, faces.length, config.quality),
  };
}
