import { centredColumns, LINEAR, logRatios, type RawFrame } from '../pixels';
import { round, verdictOf, type ScoreBand, type Vote } from '../voter';
import { faceFlashResponse, flashSlope, type FaceFlash } from './flash-reflectance';

type Point = { x: number; y: number };

/** Share of an eye's pixels, brightest first, taken as its highlight. */
const HIGHLIGHT_SHARE = 0.1;

/**
 * Are the screen's colours mirrored in the eyes? A cornea (and a spectacle lens) is a mirror: while the
 * phone's screen shows a colour, a small image of the screen in that colour sits in each eye, and the
 * eyes' brightest pixels change colour far more than the skin, which only diffuses the screen's light
 * among the room's. A face on a screen or in a virtual camera tinted in time with the colours, uniformly
 * or shaded like a head, tints the eyes' highlights no more than the skin around them. Per frame, the
 * brightest pixels inside each eye's landmark outline (face-api, middle frame) are averaged; their flash
 * response (log light against the frame's, which cancels exposure and white balance, regressed on the
 * issued colours) over the face's is the score.
 */
export function cornealReflectionVote(input: FaceFlash, band: ScoreBand & { minFaceResponse: number }): Vote {
  const { frames, face } = input;
  const name = 'corneal_reflection';
  if (frames.length < 3) return { name, verdict: 'uncertain', score: 0, detail: 'fewer than 3 frames: the eyes cannot be followed' };
  if (!face || face.landmarks.length < 68) return { name, verdict: 'uncertain', score: 0, detail: 'no eye landmarks' };
  const { expected, reference, faceResponse } = faceFlashResponse(input);
  if (faceResponse < band.minFaceResponse) {
    return { name, verdict: 'uncertain', score: 0, detail: `the face responds too little to the flash to compare the eyes with it (${round(faceResponse, 4)})` };
  }
  const eyes = [face.landmarks.slice(36, 42), face.landmarks.slice(42, 48)];
  const highlights = frames.map((f) => {
    const sums = [0, 0, 0];
    for (const eye of eyes) {
      const h = highlightOf(f, eye);
      for (let c = 0; c < 3; c++) sums[c] = (sums[c] as number) + (h[c] as number) / eyes.length;
    }
    return sums;
  });
  const eyeResponse = flashSlope(centredColumns(logRatios(highlights, reference)), expected);
  const score = eyeResponse / faceResponse;
  return {
    name,
    verdict: verdictOf(score, band),
    score: round(score, 3),
    detail: `the eyes' highlights respond ${round(score, 2)}x as strongly to the flash colours as the face (a mirrored screen stands out)`,
  };
}

/** Mean linear colour of the brightest pixels inside an eye's outline (its 6 landmarks' polygon). */
function highlightOf(frame: RawFrame, eye: Point[]): [number, number, number] {
  const xs = eye.map((p) => p.x);
  const ys = eye.map((p) => p.y);
  const x0 = Math.max(0, Math.floor(Math.min(...xs)));
  const x1 = Math.min(frame.width - 1, Math.ceil(Math.max(...xs)));
  const y0 = Math.max(0, Math.floor(Math.min(...ys) - 1));
  const y1 = Math.min(frame.height - 1, Math.ceil(Math.max(...ys) + 1));
  const pixels: Array<[number, number]> = [];
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (!inside(eye, x + 0.5, y + 0.5)) continue;
      const i = (y * frame.width + x) * 3;
      const d = frame.data;
      pixels.push([i, (d[i] as number) + (d[i + 1] as number) + (d[i + 2] as number)]);
    }
  }
  if (pixels.length === 0) return [1e-5, 1e-5, 1e-5];
  pixels.sort((a, b) => b[1] - a[1]);
  const take = pixels.slice(0, Math.max(1, Math.round(pixels.length * HIGHLIGHT_SHARE)));
  const sum = [0, 0, 0];
  for (const [i] of take) for (let c = 0; c < 3; c++) sum[c] = (sum[c] as number) + (LINEAR[frame.data[i + c] as number] as number);
  return [(sum[0] as number) / take.length, (sum[1] as number) / take.length, (sum[2] as number) / take.length];
}

/** Even-odd point-in-polygon. */
function inside(poly: Point[], x: number, y: number): boolean {
  let odd = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const a = poly[i] as Point;
    const b = poly[j] as Point;
    if (a.y > y !== b.y > y && x < ((b.x - a.x) * (y - a.y)) / (b.y - a.y) + a.x) odd = !odd;
  }
  return odd;
}
