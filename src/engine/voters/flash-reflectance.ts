import type { DetectedFace } from '../face-analysis/face-model';
import type { Rgb } from '../flash-sequence';
import { centredColumns, logRatios, meanLinear, pearson, type RawFrame, type Region } from '../pixels';
import { round, verdictOf, type ScoreBand, type Vote } from '../voter';

/** The colour on screen while frame `i` of `frameCount` was taken: frames spread evenly over the sequence. */
export const colourForFrame = (sequence: readonly Rgb[], i: number, frameCount: number): Rgb =>
  sequence[Math.min(sequence.length - 1, Math.floor((i * sequence.length) / frameCount))] as Rgb;

/** Where the subject's light is compared with light the screen hardly reaches. */
export interface ReflectanceRegions {
  /** The subject: the face in its guide, or the card. */
  subject: Region;
  /**
   * The reference is the whole frame without this (the subject grown a little): room, shoulders. Absent
   * when the subject fills the frame (a KTP card): the subject's own brightness is the reference, which
   * cancels exposure but not white balance.
   */
  exclude?: Region;
}

/**
 * Does the subject's light follow the issued sequence, in order? Browsers rarely lock exposure and white
 * balance, so the camera keeps rescaling each channel of each frame, partly chasing the flash colours.
 * Those gains multiply the whole frame alike, so per frame and channel the subject's mean linear light is
 * divided by the reference's (everything outside the subject, which the phone's screen barely reaches):
 * the gains cancel, the flash's share stays. Each channel's log ratio over the frames is correlated
 * (Pearson) with that channel of the issued colours; the score is the mean over the channels that the
 * sequence switches. A photo re-shown does not move (amplitude check); another sequence does not
 * correlate; the right sequence played late correlates better at a lag than on time.
 */
export function flashReflectanceVote(
  frames: readonly RawFrame[],
  regions: ReflectanceRegions,
  sequence: readonly Rgb[],
  band: ScoreBand & { minLogShift: number },
): Vote {
  const name = 'flash_reflectance';
  if (frames.length < 3)
    return { name, verdict: 'uncertain', score: 0, detail: 'fewer than 3 frames: the flash response cannot be followed' };
  const subject = frames.map((f) => meanLinear(f, regions.subject));
  const observed = centredColumns(logRatios(subject, referenceLight(frames, subject, regions.exclude)));
  const expected = issuedColours(sequence, frames.length);
  const amplitude = Math.sqrt(
    observed.reduce((s, v) => s + (v[0] as number) ** 2 + (v[1] as number) ** 2 + (v[2] as number) ** 2, 0) / (3 * observed.length),
  );
  if (amplitude < band.minLogShift) {
    return { name, verdict: 'fail', score: 0, detail: `subject's light does not change under the flash (shift ${round(amplitude, 5)})` };
  }
  const onTime = correlation(observed, expected, 0);
  const late = Math.max(correlation(observed, expected, 1), correlation(observed, expected, 2));
  if (late > onTime && late >= band.pass) {
    return {
      name,
      verdict: 'fail',
      score: round(onTime),
      detail: `colours follow the sequence late (r=${round(late, 3)} at a lag, ${round(onTime, 3)} on time)`,
    };
  }
  // A low correlation is a spoof only when the light follows the sequence no better than chance; above that a
  // weak flash in a bright room (little signal, the same noise) is a live face measured badly: review, not fail.
  const chance = chanceCorrelation(frames.length, switchedChannels(expected));
  const verdict = verdictOf(onTime, { pass: band.pass, fail: Math.min(band.fail, chance) });
  return {
    name,
    verdict,
    score: round(onTime),
    detail: `correlation of the subject's light, exposure and white balance compensated, with the issued sequence r=${round(onTime, 3)}${
      verdict === 'uncertain' && onTime <= band.fail ? ` (weak, but above chance, ${round(chance, 3)})` : ''
    }`,
  };
}

/**
 * The mean per-channel correlation that unrelated series reach by chance once in a hundred: each channel's
 * Pearson r over n frames has a standard deviation of about 1 / sqrt(n - 1) when nothing links them, and
 * the mean of `channels` of them 1 / sqrt((n - 1) channels); 2.33 of those is the one-sided 99th percentile
 * (0.51 for 8 frames and 3 channels).
 */
export const chanceCorrelation = (frames: number, channels: number): number =>
  2.33 / Math.sqrt(Math.max(1, (frames - 1) * Math.max(1, channels)));

/** How many of the colour channels the issued sequence switches (a channel held constant carries no signal). */
const switchedChannels = (expected: number[][]): number =>
  [0, 1, 2].filter((c) => {
    const column = expected.map((row) => row[c] as number);
    return Math.max(...column) !== Math.min(...column);
  }).length;

/** What the landmark voters (flash_relief, corneal_reflection) measure a face's flash response from. */
export interface FaceFlash {
  frames: readonly RawFrame[];
  /** The face found in the middle frame, with its 68 landmarks. */
  face: DetectedFace | undefined;
  regions: ReflectanceRegions;
  sequence: readonly Rgb[];
}

/** The issued colours per frame, the reference light per frame, and the face's flash response against that reference. */
export function faceFlashResponse(input: FaceFlash): { expected: number[][]; reference: number[][]; faceResponse: number } {
  const expected = issuedColours(input.sequence, input.frames.length);
  const subject = input.frames.map((f) => meanLinear(f, input.regions.subject));
  const reference = referenceLight(input.frames, subject, input.regions.exclude);
  return { expected, reference, faceResponse: flashSlope(centredColumns(logRatios(subject, reference)), expected) };
}

/** Per frame, the issued colour's R, G, B as 0-1. */
export const issuedColours = (sequence: readonly Rgb[], frameCount: number): number[][] =>
  Array.from({ length: frameCount }, (_, i) => {
    const c = colourForFrame(sequence, i, frameCount);
    return [c.r / 255, c.g / 255, c.b / 255];
  });

/** Least-squares slope of the (centred) log ratios against the issued colours, pooled over the channels. */
export function flashSlope(observed: number[][], expected: number[][]): number {
  let num = 0;
  let den = 0;
  for (let c = 0; c < 3; c++) {
    const e = expected.map((row) => row[c] as number);
    const mean = e.reduce((s, v) => s + v, 0) / e.length;
    for (let f = 0; f < observed.length; f++) {
      const x = (e[f] as number) - mean;
      num += ((observed[f] as number[])[c] as number) * x;
      den += x * x;
    }
  }
  return den === 0 ? 0 : num / den;
}

/** Per frame, the reference light: the frame outside `exclude`, or else the subject's own grey level (geometric mean of its channels). */
export function referenceLight(frames: readonly RawFrame[], subject: number[][], exclude: Region | undefined): number[][] {
  if (exclude) return frames.map((f) => meanLinear(f, { x0: 0, y0: 0, x1: 1, y1: 1 }, exclude));
  return subject.map((row) => {
    const grey = Math.cbrt(Math.max(1e-5, row[0] as number) * Math.max(1e-5, row[1] as number) * Math.max(1e-5, row[2] as number));
    return [grey, grey, grey];
  });
}

/** Mean per-channel Pearson correlation of observed[i + lag] with expected[i], over the channels the sequence switches. */
function correlation(observed: number[][], expected: number[][], lag: number): number {
  const n = observed.length - lag;
  let sum = 0;
  let channels = 0;
  for (let c = 0; c < 3; c++) {
    const e = expected.slice(0, n).map((row) => row[c] as number);
    if (Math.max(...e) === Math.min(...e)) continue;
    sum += pearson(
      observed.slice(lag).map((row) => row[c] as number),
      e,
    );
    channels += 1;
  }
  return channels === 0 ? 0 : sum / channels;
}
