import type { Rgb } from '../../src/engine/flash-sequence';
import { FIXED_SEQUENCE } from './fixtures/sequence';
import type { RawFrame } from '../../src/engine/pixels';
import { chanceCorrelation, flashReflectanceVote } from '../../src/engine/voters/flash-reflectance';

const SEQUENCE = FIXED_SEQUENCE;
const SUBJECT = { x0: 0.25, y0: 0.25, x1: 0.75, y1: 0.75 };
const BAND = { pass: 0.919, fail: 0.89, minLogShift: 0.005 };

/** A 20x20 frame: the subject square lit by `gain` of the flash colour (plus a fixed room light) against a plain room. */
function frame(colour: Rgb, gain: number, jitter: [number, number, number]): RawFrame {
  const data = new Uint8Array(20 * 20 * 3);
  const channels = [colour.r, colour.g, colour.b];
  for (let y = 0; y < 20; y++) {
    for (let x = 0; x < 20; x++) {
      const inside = x >= 5 && x < 15 && y >= 5 && y < 15;
      for (let c = 0; c < 3; c++) {
        const level = inside ? 120 * (1 + gain * ((channels[c] as number) / 255) + (jitter[c] as number)) : 100;
        data[(y * 20 + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(level)));
      }
    }
  }
  return { width: 20, height: 20, data };
}

// Fixed "noise" per frame and channel (not random: the test must repeat).
const NOISE: Array<[number, number, number]> = [
  [0.03, -0.02, 0.01],
  [-0.01, 0.03, -0.03],
  [0.02, 0.01, 0.02],
  [-0.03, -0.01, 0.0],
  [0.01, -0.03, 0.03],
  [0.0, 0.02, -0.02],
  [-0.02, 0.0, 0.01],
  [0.03, 0.01, -0.01],
];

describe('flash_reflectance against chance', () => {
  it('when 8 frames switch 3 channels, then chance reaches a mean correlation of about 0.51', () => {
    expect(chanceCorrelation(8, 3)).toBeCloseTo(0.508, 2);
    expect(chanceCorrelation(12, 3)).toBeLessThan(chanceCorrelation(8, 3));
  });

  it('when a weak flash follows the sequence through noise, below the fitted fail but above chance, then the voter is uncertain (review), not fail', () => {
    const seen: string[] = [];
    for (const gain of [0.02, 0.03, 0.04, 0.05, 0.06]) {
      const vote = flashReflectanceVote(
        SEQUENCE.map((c, i) => frame(c, gain, NOISE[i]!)),
        { subject: SUBJECT },
        SEQUENCE,
        BAND,
      );
      if (vote.score <= BAND.fail && vote.score > chanceCorrelation(8, 3)) {
        expect(vote.verdict).toBe('uncertain');
        expect(vote.detail).toContain('above chance');
        seen.push(vote.detail);
      }
    }
    expect(seen.length).toBeGreaterThan(0);
  });

  it('when the light follows another order of the colours, then it fails', () => {
    const shuffled = [SEQUENCE[3]!, SEQUENCE[0]!, SEQUENCE[6]!, SEQUENCE[1]!, SEQUENCE[7]!, SEQUENCE[2]!, SEQUENCE[5]!, SEQUENCE[4]!];
    const vote = flashReflectanceVote(
      shuffled.map((c, i) => frame(c, 0.2, NOISE[i]!)),
      { subject: SUBJECT },
      SEQUENCE,
      BAND,
    );
    expect(vote.score).toBeLessThan(chanceCorrelation(8, 3));
    expect(vote.verdict).toBe('fail');
  });
});
