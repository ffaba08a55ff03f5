import { forEachPixel, type RawFrame, type Region } from '../pixels';
import { round, verdictOf, type ScoreBand, type Vote } from '../voter';

/**
 * Greyscale photocopy: an e-KTP is printed in blue with a colour photo; a black-and-white copy is grey.
 * The flash tints a grey copy uniformly, so each frame is first grey-world balanced (each channel
 * divided by its mean) and then the mean per-pixel saturation is measured. The score is the median
 * over frames.
 */
export function photocopyVote(frames: readonly RawFrame[], region: Region, band: ScoreBand): Vote {
  const name = 'photocopy_greyscale';
  const scores = frames.map((f) => balancedSaturation(f, region)).sort((a, b) => a - b);
  const score = scores[Math.floor(scores.length / 2)] ?? 0;
  return {
    name,
    verdict: verdictOf(score, band),
    score: round(score),
    detail: `mean saturation after colour balancing ${round(score, 3)}`,
  };
}

function balancedSaturation(frame: RawFrame, region: Region): number {
  const d = frame.data;
  const sums = [0, 0, 0];
  let n = 0;
  forEachPixel(frame, region, (i) => {
    sums[0] = (sums[0] as number) + (d[i] as number);
    sums[1] = (sums[1] as number) + (d[i + 1] as number);
    sums[2] = (sums[2] as number) + (d[i + 2] as number);
    n += 1;
  });
  if (n === 0) return 0;
  const grey = ((sums[0] as number) + (sums[1] as number) + (sums[2] as number)) / 3 / n;
  const gain = sums.map((s) => (s > 0 ? grey / (s / n) : 0));
  let total = 0;
  forEachPixel(frame, region, (i) => {
    const r = (d[i] as number) * (gain[0] as number);
    const g = (d[i + 1] as number) * (gain[1] as number);
    const b = (d[i + 2] as number) * (gain[2] as number);
    const max = Math.max(r, g, b);
    // Near-black pixels have no meaningful hue.
    if (max > 16) total += (max - Math.min(r, g, b)) / max;
  });
  return total / n;
}
