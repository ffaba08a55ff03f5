import type { Rgb } from '../flash-sequence';
import { chroma, meanRgb, pearson, type RawFrame, type Region } from '../pixels';
import { round, verdictOf, type ScoreBand, type Vote } from '../voter';

/** The colour on screen while frame `i` of `frameCount` was taken: frames spread evenly over the sequence. */
export const colourForFrame = (sequence: readonly Rgb[], i: number, frameCount: number): Rgb =>
  sequence[Math.min(sequence.length - 1, Math.floor((i * sequence.length) / frameCount))] as Rgb;

/**
 * Does the region's colour follow the issued sequence, in order? Per frame, the region's chromaticity
 * minus its average over the bundle is correlated (Pearson over frames and channels) with the issued
 * colours' chromaticity minus theirs. A photo re-shown does not move (amplitude check); another sequence
 * does not correlate; the right sequence played one step late correlates better at a lag than at zero.
 */
export function flashReflectanceVote(
  frames: readonly RawFrame[],
  region: Region,
  sequence: readonly Rgb[],
  band: ScoreBand & { minChromaShift: number },
): Vote {
  const name = 'flash_reflectance';
  if (frames.length < 3)
    return { name, verdict: 'uncertain', score: 0, detail: 'fewer than 3 frames: the flash response cannot be followed' };
  const observed = centred(frames.map((f) => chroma(meanRgb(f, region))));
  const expected = centred(frames.map((_, i) => chroma(rgb(colourForFrame(sequence, i, frames.length)))));

  const amplitude = Math.sqrt(observed.reduce((s, v) => s + v[0] ** 2 + v[1] ** 2 + v[2] ** 2, 0) / observed.length);
  if (amplitude < band.minChromaShift) {
    return { name, verdict: 'fail', score: 0, detail: `region colour does not change under the flash (shift ${round(amplitude, 5)})` };
  }
  const atLag = (lag: number) =>
    pearson(observed.slice(Math.max(0, lag)).flat(), expected.slice(0, expected.length - Math.abs(lag)).flat());
  const onTime = pearson(observed.flat(), expected.flat());
  const late = Math.max(atLag(1), atLag(2));
  if (late > onTime && late >= band.pass) {
    return {
      name,
      verdict: 'fail',
      score: round(onTime),
      detail: `colours follow the sequence late (r=${round(late, 3)} at a lag, ${round(onTime, 3)} on time)`,
    };
  }
  const verdict = verdictOf(onTime, band);
  return { name, verdict, score: round(onTime), detail: `correlation of reflected colour with the issued sequence r=${round(onTime, 3)}` };
}

const rgb = (c: Rgb): [number, number, number] => [c.r, c.g, c.b];

function centred(rows: Array<[number, number, number]>): Array<[number, number, number]> {
  const mean = [0, 1, 2].map((c) => rows.reduce((s, row) => s + row[c as 0 | 1 | 2], 0) / rows.length) as [number, number, number];
  return rows.map((row) => [row[0] - mean[0], row[1] - mean[1], row[2] - mean[2]]);
}
