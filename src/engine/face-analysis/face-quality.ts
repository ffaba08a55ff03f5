import type { RawFrame } from '../pixels';
import { round } from '../voter';
import type { DetectedFace } from './face-model';

/** How good a face image is as a reference or a probe; each part is 0 (useless) to 1 (good). */
export interface FaceQuality {
  /** The weakest of the parts below: one bad aspect is enough to make a poor reference. */
  score: number;
  /** Sharpness: variance of the Laplacian of the face's luminance, against `sharpVariance`. */
  sharpness: number;
  /** 1 minus the share of blown-out (near-white) pixels in the face, against `maxGlareShare`. */
  glare: number;
  /** The face's shorter side in pixels, against `goodFacePixels`. */
  size: number;
  /** How many faces the image holds; more than one makes the reference ambiguous and scores 0. */
  faces: number;
  /** What pulls the score down, for humans: `blurred`, `glare`, `face_too_small`, `several_faces`. */
  issues: string[];
}

export interface QualityOptions {
  /** Laplacian variance (0-255 luminance) at and above which a face counts as fully sharp. Default 120. */
  sharpVariance: number;
  /** Share of near-white pixels at which glare scores 0. Default 0.15. */
  maxGlareShare: number;
  /** Shorter face side, in pixels, at and above which size scores 1. Default 112 (the recognition net's input is 150). */
  goodFacePixels: number;
}

/** Quality of `face` within `frame`, measured on the frame's pixels inside the face box. */
export function faceQuality(frame: RawFrame, face: DetectedFace, faceCount: number, o: QualityOptions): FaceQuality {
  const x0 = Math.max(1, Math.floor(face.box.x));
  const y0 = Math.max(1, Math.floor(face.box.y));
  const x1 = Math.min(frame.width - 1, Math.ceil(face.box.x + face.box.width));
  const y1 = Math.min(frame.height - 1, Math.ceil(face.box.y + face.box.height));
  const luma = (x: number, y: number) => {
    const i = (y * frame.width + x) * 3;
    return 0.299 * (frame.data[i] as number) + 0.587 * (frame.data[i + 1] as number) + 0.114 * (frame.data[i + 2] as number);
  };
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  let blown = 0;
  for (let y = y0; y < y1 - 1; y++) {
    for (let x = x0; x < x1 - 1; x++) {
      const c = luma(x, y);
      const lap = luma(x - 1, y) + luma(x + 1, y) + luma(x, y - 1) + luma(x, y + 1) - 4 * c;
      sum += lap;
      sumSq += lap * lap;
      if (c >= 245) blown++;
      n++;
    }
  }
  const variance = n > 0 ? sumSq / n - (sum / n) ** 2 : 0;
  const sharpness = Math.min(1, variance / o.sharpVariance);
  const glare = n > 0 ? Math.max(0, 1 - blown / n / o.maxGlareShare) : 0;
  const size = Math.min(1, Math.min(face.box.width, face.box.height) / o.goodFacePixels);
  const issues = [
    ...(sharpness < 0.5 ? ['blurred'] : []),
    ...(glare < 0.5 ? ['glare'] : []),
    ...(size < 0.5 ? ['face_too_small'] : []),
    ...(faceCount > 1 ? ['several_faces'] : []),
  ];
  const score = faceCount === 1 ? Math.min(sharpness, glare, size) : 0;
  return { score: round(score, 3), sharpness: round(sharpness, 3), glare: round(glare, 3), size: round(size, 3), faces: faceCount, issues };
}
