import { centredColumns, logRatios, meanLinear, type RawFrame, type Region } from '../pixels';
import { round, verdictOf, type ScoreBand, type Vote } from '../voter';
import { faceFlashResponse, flashSlope, type FaceFlash } from './flash-reflectance';

type Point = { x: number; y: number };

/**
 * Is the flash response shaped like a head, or like a sheet (flat, bent or wrapped on a cylinder)? Each
 * point of a surface takes the phone screen's light by how squarely it faces the screen, and the room's
 * light by how it faces the room's lamps and windows. On a sheet held up flat both are the same at every
 * point, so the ratio of flash to room light is uniform whatever the picture printed on it (its baked-in
 * shading and skin tone cancel in a ratio). A head's surface turns every way: the ratio changes across
 * the face (cheeks and jaw turn left and right) and down it (the bridge, the nose's underside, lips and
 * chin turn up and down). A print bent or wrapped round a cylinder turns only left and right. Which
 * points get more depends on where the room's light comes from, so the voter measures how much the
 * ratio varies, not its sign.
 *
 * Measured on the face's own 68 landmarks (face-api, from the middle frame): per small disc, the ratio
 * is the slope of its log light (relative to the frame's, which cancels exposure and white balance)
 * against the issued colours. Its spread across and down the face, each over the whole face's response
 * to the flash against the background, are the two reliefs; the score is the smaller: a head has both.
 */
export function flashReliefVote(input: FaceFlash, band: ScoreBand & { minFaceResponse: number }): Vote {
  const { frames, face } = input;
  const name = 'flash_relief';
  if (frames.length < 3)
    return { name, verdict: 'uncertain', score: 0, detail: 'fewer than 3 frames: the flash response cannot be measured' };
  const first = frames[0] as RawFrame;
  if (!face || face.landmarks.length < 68) return { name, verdict: 'uncertain', score: 0, detail: 'no face landmarks to measure relief on' };
  const lm = face.landmarks;
  const at = (i: number) => lm[i] as Point;
  const lerp = (a: number, b: number, t: number): Point => ({ x: at(a).x + (at(b).x - at(a).x) * t, y: at(a).y + (at(b).y - at(a).y) * t });
  const width = Math.hypot(at(16).x - at(0).x, at(16).y - at(0).y);
  const radius = Math.max(2, 0.05 * width);
  const disc = (p: Point): Region => ({
    x0: (p.x - radius) / first.width,
    x1: (p.x + radius) / first.width,
    y0: (p.y - radius) / first.height,
    y1: (p.y + radius) / first.height,
    ellipse: true,
  });
  const whole = { x0: 0, y0: 0, x1: 1, y1: 1 };
  const frameLight = frames.map((f) => meanLinear(f, whole));
  const { expected, faceResponse } = faceFlashResponse(input);
  const slopeOf = (rows: number[][], reference: number[][] = frameLight) => flashSlope(centredColumns(logRatios(rows, reference)), expected);
  const response = (p: Point) => slopeOf(frames.map((f) => meanLinear(f, disc(p))));

  if (faceResponse < band.minFaceResponse) {
    return { name, verdict: 'uncertain', score: 0, detail: `the face responds too little to the flash to measure its shape (${round(faceResponse, 4)})` };
  }
  // Across the face at cheek height (jaw side, cheek, nose tip, cheek, jaw side) and down its middle
  // (bridge, nose tip, the nose's underside, lips, chin): the spread of the flash-to-room ratio along each.
  const across = spread([lerp(1, 31, 0.15), lerp(3, 31, 0.35), at(30), lerp(13, 35, 0.35), lerp(15, 35, 0.15)].map(response));
  const down = spread([at(27), at(29), at(30), at(33), at(51), at(57), lerp(8, 57, 0.25)].map(response));
  const horizontal = across / faceResponse;
  const vertical = down / faceResponse;
  const score = Math.min(horizontal, vertical);
  return {
    name,
    verdict: verdictOf(score, band),
    score: round(score),
    detail: `spread of the flash-to-room light ratio across the face ${round(horizontal, 3)} and down it ${round(vertical, 3)} (relative to the face's response; a sheet gives about 0 on at least one)`,
  };
}

/** Standard deviation of a few values. */
function spread(values: number[]): number {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
}
