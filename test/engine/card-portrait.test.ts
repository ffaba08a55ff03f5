import { LAYOUT } from '../../src/engine/analyse-frames';
import { engineConfig } from '../../src/engine/engine-config';
import { cropFrame } from '../../src/engine/face-analysis/crop';
import { detectFaces } from '../../src/engine/face-analysis/face-model';
import { detectPortrait, stretchContrast } from '../../src/engine/face-analysis/portrait';
import { decodeFrame } from '../../src/engine/pixels';
import { faceOnCardVote } from '../../src/engine/voters/face-on-card';
import { KTP_CLASSES, seedOf } from './fixtures/lab/classes';

const cfg = engineConfig();
const detect = { detector: cfg.face.captureDetector, minScore: cfg.face.minDetectionScore };

/** The portrait area of the first frame of a capture lab KTP sample (calibration split), at full resolution. */
async function portraitOf(className: string, i: number) {
  const c = KTP_CLASSES.find((x) => x.name === className);
  if (!c) throw new Error(`no lab class ${className}`);
  const s = await c.make(seedOf('calibration', i), 'calibration');
  return cropFrame(await decodeFrame(s.frames[0] as Buffer, cfg.capture.portraitMaxSide), LAYOUT.cardPhoto);
}

describe('face_on_card: the portrait of a genuine card under dim light', () => {
  it('when the portrait came out dark and flat, then the detector misses it as cut, finds it with its contrast stretched, and face_on_card sends the card to review instead of failing it', async () => {
    // Calibration sample 4: a dark-skinned person's portrait under weak room light.
    const portrait = await portraitOf('genuine KTP card', 4);
    expect(await detectFaces(portrait, detect)).toHaveLength(0);
    const { faces, frame, stretched } = await detectPortrait(portrait, detect, cfg.thresholds.faceOnCard.pass);
    expect(faces).toHaveLength(1);
    expect(stretched).toBe(true);
    expect(frame).not.toBe(portrait);
    expect(faceOnCardVote(faces, cfg.thresholds.faceOnCard, stretched).verdict).toBe('uncertain');
  });

  it('when the portrait is found confidently as cut, then it is not looked at twice and the cut image is kept', async () => {
    const portrait = await portraitOf('genuine KTP card', 1);
    const { faces, frame, stretched } = await detectPortrait(portrait, detect, cfg.thresholds.faceOnCard.pass);
    expect(faces[0]?.score).toBeGreaterThanOrEqual(cfg.thresholds.faceOnCard.pass);
    expect(frame).toBe(portrait);
    expect(faceOnCardVote(faces, cfg.thresholds.faceOnCard, stretched).verdict).toBe('pass');
  });

  it('when the contrast is stretched, then the brightness range spans 0-255 and a grey stays grey', () => {
    const flat = { width: 10, height: 10, data: Uint8Array.from({ length: 300 }, (_, i) => 60 + Math.floor(i / 3) * 0.4) };
    const out = stretchContrast(flat);
    expect(Math.min(...out.data)).toBe(0);
    expect(Math.max(...out.data)).toBe(255);
    for (let p = 0; p < 300; p += 3) expect(new Set(out.data.subarray(p, p + 3)).size).toBe(1);
  });
});
