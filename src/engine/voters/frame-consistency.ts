import { luminance, pearson, type RawFrame } from '../pixels';
import { round, verdictOf, type ScoreBand, type Vote } from '../voter';

const WHOLE = { x0: 0, y0: 0, x1: 1, y1: 1 };

/**
 * Are the frames one continuous scene? The brightness images of consecutive frames are correlated; a
 * flash changes colour but hardly structure, while frames spliced from other captures or people do not
 * correlate. The score is the weakest consecutive correlation.
 */
export function frameConsistencyVote(frames: readonly RawFrame[], band: ScoreBand): Vote {
  const name = 'frame_consistency';
  const first = frames[0];
  if (!first) return { name, verdict: 'fail', score: 0, detail: 'no frames' };
  if (frames.some((f) => f.width !== first.width || f.height !== first.height)) {
    return { name, verdict: 'fail', score: 0, detail: 'frames differ in size' };
  }
  if (frames.length === 1) return { name, verdict: 'uncertain', score: 1, detail: 'a single frame: nothing to compare' };
  const images = frames.map((f) => luminance(f, WHOLE));
  let weakest = 1;
  for (let i = 1; i < images.length; i++) weakest = Math.min(weakest, pearson(images[i - 1] as Float64Array, images[i] as Float64Array));
  return {
    name,
    verdict: verdictOf(weakest, band),
    score: round(weakest),
    detail: `weakest correlation between consecutive frames ${round(weakest, 3)}`,
  };
}
