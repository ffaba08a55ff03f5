import { luminance, type RawFrame, type Region } from '../pixels';
import { round, verdictOf, type ScoreBand, type Vote } from '../voter';

/**
 * Screen replay: a phone or monitor re-filmed shows moire and its pixel grid, fine periodic ripples
 * everywhere, including in areas that should be smooth (cheeks, the card's plain background). Edges
 * (eyes, printed text) also carry fine detail, so only flat areas count: pixels where a 7x7 blur has
 * little gradient. The score is the mean absolute difference, in 8-bit levels, between those pixels and
 * their 3x3 blur: a camera's noise floor on skin or print, clearly more with a screen's ripple.
 * Measured on the first frame, before the flash starts changing exposure.
 */
export function screenReplayVote(frame: RawFrame, region: Region, band: ScoreBand): Vote {
  const name = 'screen_replay';
  const w = Math.max(1, Math.ceil(region.x1 * frame.width) - Math.floor(region.x0 * frame.width));
  const lum = luminance(frame, { ...region, ellipse: false });
  const h = Math.floor(lum.length / w);
  if (w < 16 || h < 16) return { name, verdict: 'uncertain', score: 0, detail: 'region too small to measure' };
  const fine = boxBlur(lum, w, h, 1);
  const coarse = boxBlur(lum, w, h, 3);
  let sum = 0;
  let flat = 0;
  for (let y = 4; y < h - 4; y++) {
    for (let x = 4; x < w - 4; x++) {
      const i = y * w + x;
      const gradient =
        Math.abs((coarse[i + 2] as number) - (coarse[i - 2] as number)) +
        Math.abs((coarse[i + 2 * w] as number) - (coarse[i - 2 * w] as number));
      if (gradient > FLAT_GRADIENT) continue;
      sum += Math.abs((lum[i] as number) - (fine[i] as number));
      flat += 1;
    }
  }
  if (flat < (w * h) / 10) return { name, verdict: 'uncertain', score: 0, detail: 'too few smooth areas to measure' };
  const score = sum / flat;
  return { name, verdict: verdictOf(score, band), score: round(score), detail: `fine ripple in smooth areas ${round(score, 2)} levels` };
}

/** Brightness change across 4 px of the blurred image, in levels, below which an area counts as smooth. */
const FLAT_GRADIENT = 10;

/** Mean over the (2r+1)^2 neighbourhood, through an integral image (edges clamp the window). */
function boxBlur(src: Float64Array, w: number, h: number, r: number): Float64Array {
  const integral = new Float64Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += src[y * w + x] as number;
      integral[(y + 1) * (w + 1) + x + 1] = (integral[y * (w + 1) + x + 1] as number) + row;
    }
  }
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    const ya = Math.max(0, y - r);
    const yb = Math.min(h, y + r + 1);
    for (let x = 0; x < w; x++) {
      const xa = Math.max(0, x - r);
      const xb = Math.min(w, x + r + 1);
      const s =
        (integral[yb * (w + 1) + xb] as number) -
        (integral[ya * (w + 1) + xb] as number) -
        (integral[yb * (w + 1) + xa] as number) +
        (integral[ya * (w + 1) + xa] as number);
      out[y * w + x] = s / ((yb - ya) * (xb - xa));
    }
  }
  return out;
}
