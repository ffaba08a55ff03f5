import { meanRgb, type RawFrame, type Region } from '../pixels';
import { round, verdictOf, type ScoreBand, type Vote } from '../voter';

/**
 * Is the flash response shaped like a face or flat like paper? The screen lights what faces it: on a
 * real head the middle of the face (nose, cheeks, forehead facing the phone) catches more of the flash
 * than the turned-away rim, while a printed photo or a screen held up to the camera is one flat surface
 * that catches it evenly (FaceRevelio's photometric cue, DESIGN 9). Per region the response is the RMS
 * swing of its mean colour over the frames, relative to its mean brightness (so dark hair or skin does
 * not read as more or less flash); the score is the centre's response over the whole face's.
 */
export function flashReliefVote(frames: readonly RawFrame[], face: Region, band: ScoreBand): Vote {
  const name = 'flash_relief';
  if (frames.length < 3)
    return { name, verdict: 'uncertain', score: 0, detail: 'fewer than 3 frames: the flash response cannot be measured' };
  const whole = response(frames, face);
  if (whole === 0) return { name, verdict: 'uncertain', score: 0, detail: 'no flash response to compare' };
  const score = response(frames, centreOf(face, 0.4)) / whole;
  return {
    name,
    verdict: verdictOf(score, band),
    score: round(score),
    detail: `centre of the face responds ${round(score, 3)}x as strongly to the flash as the whole face (flat surfaces give about 1)`,
  };
}

const centreOf = (r: Region, k: number): Region => {
  const cx = (r.x0 + r.x1) / 2;
  const cy = (r.y0 + r.y1) / 2;
  const hw = ((r.x1 - r.x0) / 2) * k;
  const hh = ((r.y1 - r.y0) / 2) * k;
  return { x0: cx - hw, x1: cx + hw, y0: cy - hh, y1: cy + hh, ellipse: true };
};

function response(frames: readonly RawFrame[], region: Region): number {
  const rows = frames.map((f) => meanRgb(f, region));
  const mean = [0, 1, 2].map((c) => rows.reduce((s, row) => s + (row[c] as number), 0) / rows.length) as [number, number, number];
  const brightness = (mean[0] + mean[1] + mean[2]) / 3;
  if (brightness <= 0) return 0;
  const swing = rows.reduce((s, row) => s + (row[0] - mean[0]) ** 2 + (row[1] - mean[1]) ** 2 + (row[2] - mean[2]) ** 2, 0) / rows.length;
  return Math.sqrt(swing) / brightness;
}
