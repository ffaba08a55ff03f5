import { decodeFrame, type RawFrame } from '../../src/engine/pixels';
import { stabilised } from '../../src/engine/stabilise';
import { LAYOUT } from '../../src/engine/analyse-frames';
import { labLiveSelfie } from './fixtures/lab/classes';
import { PALETTE } from '../../src/engine/flash-sequence';

/**
 * `frame` as a camera that moved would see it: what shows at p in `frame` shows at c + scale (p - c) + (dx, dy)
 * (nearest pixel, edges repeated), with a gain per channel as a flash colour and white balance give.
 */
function shaken(frame: RawFrame, dx: number, dy: number, gains: [number, number, number], scale = 1): RawFrame {
  const data = new Uint8Array(frame.data.length);
  const [cx, cy] = [frame.width / 2, frame.height / 2];
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) {
      const sx = Math.min(frame.width - 1, Math.max(0, Math.round(cx + (x + 0.5 - dx - cx) / scale - 0.5)));
      const sy = Math.min(frame.height - 1, Math.max(0, Math.round(cy + (y + 0.5 - dy - cy) / scale - 0.5)));
      for (let c = 0; c < 3; c++)
        data[(y * frame.width + x) * 3 + c] = Math.min(
          255,
          Math.round((frame.data[(sy * frame.width + sx) * 3 + c] as number) * gains[c]!),
        );
    }
  }
  return { width: frame.width, height: frame.height, data };
}

describe('stabilising frames on the subject', () => {
  let anchor: RawFrame;
  beforeAll(async () => {
    const jpegs = await labLiveSelfie('s6f0', [...PALETTE, ...PALETTE].slice(0, 8), 3);
    anchor = await decodeFrame(jpegs[4]!, 640);
  });

  it('when frames are shaken by known amounts and lit in other colours, then each shift is found to the pixel and undone', () => {
    const moves: Array<[number, number]> = [
      [5, -3],
      [-12, 7],
      [0, 0],
      [2, 15],
    ];
    const frames = moves.map(([dx, dy], i) => shaken(anchor, dx, dy, i % 2 ? [1.3, 0.8, 0.9] : [0.7, 1.1, 1.4]));
    const { frames: steady, motions } = stabilised([...frames, anchor], LAYOUT.face, moves.length);
    expect(motions.slice(0, moves.length).map(({ dx, dy }) => ({ dx, dy }))).toEqual(moves.map(([dx, dy]) => ({ dx, dy })));
    for (const m of motions) expect(Math.abs(m.scale - 1)).toBeLessThanOrEqual(0.004);
    // Away from the repeated border, the moved-back frame is the anchor's picture again (up to the gains' rounding).
    const back = steady[0]!;
    const at = (f: RawFrame, x: number, y: number) => f.data[(y * f.width + x) * 3 + 1] as number;
    for (const [x, y] of [
      [180, 240],
      [150, 200],
      [220, 300],
    ] as const) {
      expect(Math.abs(at(back, x, y) - Math.round(at(anchor, x, y) * 1.1))).toBeLessThanOrEqual(2);
    }
  });

  it('when the phone drifts nearer or farther as well, then the scale is found within a step and the shift within 2 px', () => {
    const moves: Array<[number, number, number]> = [
      [4, -2, 1.045],
      [-6, 3, 0.96],
    ];
    const frames = moves.map(([dx, dy, scale]) => shaken(anchor, dx, dy, [1.2, 0.9, 1], scale));
    const { motions } = stabilised([...frames, anchor], LAYOUT.face, moves.length);
    for (const [i, [dx, dy, scale]] of moves.entries()) {
      expect(Math.abs(motions[i]!.scale - scale)).toBeLessThanOrEqual(0.0151);
      expect(Math.abs(motions[i]!.dx - dx)).toBeLessThanOrEqual(2);
      expect(Math.abs(motions[i]!.dy - dy)).toBeLessThanOrEqual(2);
    }
  });

  it('when a frame has another size than the anchor, then it is left as it is', () => {
    const small: RawFrame = { width: 10, height: 10, data: new Uint8Array(300) };
    const { frames, motions } = stabilised([small, anchor], LAYOUT.face, 1);
    expect(frames[0]).toBe(small);
    expect(motions[0]).toEqual({ scale: 1, dx: 0, dy: 0 });
  });
});
