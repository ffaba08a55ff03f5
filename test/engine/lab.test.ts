import { analyseFrames } from '../../src/engine/analyse-frames';
import { captureVerdicts } from '../../src/engine/capture-verdicts';
import { analysisTask } from '../../src/engine/engine';
import { engineConfig } from '../../src/engine/engine-config';
import { LAB_CLASSES, seedOf, type LabSample } from './fixtures/lab/classes';

/**
 * The engine on a few captures of the capture lab's calibration split (realistic cameras and rooms, real
 * faces), one per class that a voter of issue #14 is aimed at. The full tables over both splits are
 * bench/capture-lab.ts's; these keep each new voter wired and deciding the way the bench measured.
 */
const cfg = engineConfig();

async function judge(className: string, i = 0) {
  const c = LAB_CLASSES.find((x) => x.name === className);
  if (!c) throw new Error(`no lab class ${className}`);
  const s: LabSample = await c.make(seedOf('calibration', i), 'calibration');
  const analysis = await analyseFrames(analysisTask(cfg, s.kind, s.frames, s.sequence));
  if (!analysis.ok) throw new Error('a lab frame did not decode');
  let selfieFace: Float32Array | null = null;
  if (s.selfie) {
    const selfie = await analyseFrames(analysisTask(cfg, 'selfie', s.selfie.frames, s.selfie.sequence));
    selfieFace = selfie.ok && selfie.face ? selfie.face.descriptor : null;
  }
  const v = captureVerdicts({ kind: s.kind, analysis, ...(s.claims && { claims: s.claims }), selfieFace, thresholds: cfg.thresholds });
  const verdicts = Object.fromEntries([...v.antiSpoof.voters, ...(v.tamper?.voters ?? [])].map((x) => [x.name, x.verdict]));
  return { status: v.status, verdicts };
}

describe('the engine on capture lab captures (calibration split)', () => {
  it('when a genuine selfie is taken with drifting exposure and white balance, then it passes', async () => {
    const r = await judge('genuine selfie, normal room');
    expect(r.status).toBe('passed');
  });

  it('when a print wrapped on a cylinder is held up, then it is not accepted: its flash response varies only across', async () => {
    const r = await judge('print on a cylinder');
    expect(r.status).not.toBe('passed');
    expect(r.verdicts.flash_relief).not.toBe('pass');
  });

  it('when a genuine card is captured by its owner, then OCR and the portrait agree with the claims and the selfie', async () => {
    const r = await judge('genuine KTP card');
    expect(r.verdicts).toMatchObject({ nik_checksum: 'pass', nik_on_card: 'pass', portrait_matches_selfie: 'pass' });
  });

  it('when the NIK is edited with self-consistent claims, then nik_checksum passes and nik_on_card fails it', async () => {
    const r = await judge('KTP NIK edited, self-consistent claims');
    expect(r.verdicts).toMatchObject({ nik_checksum: 'pass', nik_on_card: 'fail' });
    expect(r.status).toBe('failed');
  });

  it("when the card's portrait is replaced, then portrait_matches_selfie fails it", async () => {
    const r = await judge('KTP portrait replaced');
    expect(r.verdicts.portrait_matches_selfie).toBe('fail');
    expect(r.status).toBe('failed');
  });

  it('when a greyscale photocopy is captured, then photocopy_greyscale fails it', async () => {
    const r = await judge('KTP greyscale photocopy');
    expect(r.verdicts.photocopy_greyscale).toBe('fail');
  });
});
