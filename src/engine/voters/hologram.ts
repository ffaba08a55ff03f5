import { chroma, meanRgb, type RawFrame, type Region } from '../pixels';
import { round, verdictOf, type ScoreBand, type Vote } from '../voter';

/**
 * Hologram: the Garuda hologram of an e-KTP shifts colour with the light, so under the flash sequence
 * its chromaticity moves more than the matte card body's. Scans and photocopies reproduce the patch as
 * flat ink, which moves exactly as much as the rest of the card. The score is the hologram patch's
 * chroma movement over the card body's.
 */
export function hologramVote(frames: readonly RawFrame[], hologram: Region, body: Region, band: ScoreBand): Vote {
  const name = 'hologram_check';
  if (frames.length < 3)
    return { name, verdict: 'uncertain', score: 0, detail: 'fewer than 3 frames: the hologram response cannot be measured' };
  const patch = movement(frames, hologram);
  const card = movement(frames, body);
  const score = card === 0 ? (patch === 0 ? 1 : 10) : patch / card;
  return {
    name,
    verdict: verdictOf(score, band),
    score: round(score),
    detail: `hologram chroma movement ${round(score, 2)}x the card body's`,
  };
}

/** Root mean square of a region's chromaticity around its bundle average. */
function movement(frames: readonly RawFrame[], region: Region): number {
  const rows = frames.map((f) => chroma(meanRgb(f, region)));
  const mean = [0, 1, 2].map((c) => rows.reduce((s, r) => s + (r[c] as number), 0) / rows.length);
  const sq = rows.reduce((s, r) => s + r.reduce((t, v, c) => t + (v - (mean[c] as number)) ** 2, 0), 0);
  return Math.sqrt(sq / rows.length);
}
