import { forEachPixel, type RawFrame, type Region } from '../pixels';
import { round, verdictOf, type ScoreBand, type Vote } from '../voter';

/** Side of the blocks whose mean colours are compared, in pixels: averages out sensor noise and JPEG's coarse chroma. */
const BLOCK = 8;

/**
 * Greyscale photocopy: an e-KTP is a pale-blue card with a colour portrait; a black-and-white copy is
 * grey throughout. A pale card under coloured room light or flash is only weakly saturated, so absolute
 * saturation does not tell them apart; the spread of colours does. Each frame is grey-world balanced,
 * cut into 8 px blocks, and the score is the RMS distance of the blocks' chromaticities (r and g shares)
 * from their median, in percent: a copy's blocks all share one hue (whatever the light), a card's blue
 * body, dark print and skin-toned portrait do not. Dark blocks are skipped (no reliable hue). The median
 * over the frames counts.
 */
export function photocopyVote(frames: readonly RawFrame[], region: Region, band: ScoreBand): Vote {
  const name = 'photocopy_greyscale';
  const scores = frames.map((f) => colourSpread(f, region)).sort((a, b) => a - b);
  const score = scores[Math.floor(scores.length / 2)] ?? 0;
  return {
    name,
    verdict: verdictOf(score, band),
    score: round(score, 3),
    detail: `spread of colours across the card after colour balancing ${round(score, 2)}% (a greyscale copy has one hue)`,
  };
}

function colourSpread(frame: RawFrame, region: Region): number {
  const bw = Math.ceil(frame.width / BLOCK);
  const bh = Math.ceil(frame.height / BLOCK);
  const sums = new Float64Array(bw * bh * 4);
  const d = frame.data;
  forEachPixel(frame, region, (i, x, y) => {
    const b = (Math.floor(y / BLOCK) * bw + Math.floor(x / BLOCK)) * 4;
    sums[b] = (sums[b] as number) + (d[i] as number);
    sums[b + 1] = (sums[b + 1] as number) + (d[i + 1] as number);
    sums[b + 2] = (sums[b + 2] as number) + (d[i + 2] as number);
    sums[b + 3] = (sums[b + 3] as number) + 1;
  });
  const total = [0, 0, 0];
  for (let b = 0; b < bw * bh; b++) for (let c = 0; c < 3; c++) total[c] = (total[c] as number) + (sums[b * 4 + c] as number);
  const grey = ((total[0] as number) + (total[1] as number) + (total[2] as number)) / 3;
  const gain = total.map((t) => (t > 0 ? grey / t : 0));
  const r: number[] = [];
  const g: number[] = [];
  for (let b = 0; b < bw * bh; b++) {
    const n = sums[b * 4 + 3] as number;
    if (n < (BLOCK * BLOCK) / 2) continue;
    const c = [0, 1, 2].map((k) => ((sums[b * 4 + k] as number) / n) * (gain[k] as number));
    const sum = (c[0] as number) + (c[1] as number) + (c[2] as number);
    if (sum / 3 < 40) continue;
    r.push((c[0] as number) / sum);
    g.push((c[1] as number) / sum);
  }
  if (r.length < 4) return 0;
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] as number;
  const mr = median(r);
  const mg = median(g);
  let sq = 0;
  for (let k = 0; k < r.length; k++) sq += ((r[k] as number) - mr) ** 2 + ((g[k] as number) - mg) ** 2;
  return 100 * Math.sqrt(sq / r.length);
}
