import { analyseFrames, type AnalysisResult } from '../../src/engine/analyse-frames';
import { analysisTask } from '../../src/engine/engine';
import { engineConfig } from '../../src/engine/engine-config';
import { AnalysisPool } from '../../src/engine/pool';
import { nikChecksumVote, type NikClaims } from '../../src/engine/voters/nik-checksum';
import { fuse, verdictOf } from '../../src/engine/voter';
import {
  faceScene,
  ktpScene,
  otherSequence,
  photocopyOf,
  renderCapture,
  renderLate,
  printOf,
  renderStatic,
  type Scene,
} from './fixtures/synth';
import { FIXED_SEQUENCE } from './fixtures/sequence';

const SEQUENCE = FIXED_SEQUENCE;

const cfg = engineConfig();
const analyse = async (kind: 'selfie' | 'ktp', frames: Buffer[]) => {
  const result = await analyseFrames(analysisTask(cfg, kind, frames, SEQUENCE));
  if (!result.ok) throw new Error('frames did not decode');
  return result;
};
const verdicts = (r: Extract<AnalysisResult, { ok: true }>, list: 'antiSpoof' | 'tamper') =>
  Object.fromEntries(r[list].map((v) => [v.name, v.verdict]));

describe('anti-spoof voters on selfie frames made from a sample photo', () => {
  let face: Scene;
  beforeAll(async () => {
    face = await faceScene(11, 300, 400);
  });

  it('when the face reflects the issued sequence, then every voter passes', async () => {
    const r = await analyse('selfie', await renderCapture(face, SEQUENCE, 8));
    expect(verdicts(r, 'antiSpoof')).toEqual({
      flash_reflectance: 'pass',
      frame_consistency: 'pass',
      screen_replay: 'pass',
      flash_relief: 'pass',
      corneal_reflection: 'pass',
      single_face: 'pass',
    });
    expect(r.face).not.toBeNull();
  });

  it('when a printed photo fills the frame and is lit by the right sequence, then flash_reflectance fails it: nothing outside it is lit differently', async () => {
    const r = await analyse('selfie', await renderCapture(printOf(face), SEQUENCE, 8));
    expect(verdicts(r, 'antiSpoof')).toMatchObject({ flash_reflectance: 'fail', frame_consistency: 'pass', single_face: 'pass' });
    expect(fuse(r.antiSpoof)).toBe('fail');
  });

  it('when a static photo is re-shown, then flash_reflectance fails (no colour change)', async () => {
    const r = await analyse('selfie', await renderStatic(face, 8));
    expect(verdicts(r, 'antiSpoof').flash_reflectance).toBe('fail');
    expect(fuse(r.antiSpoof)).toBe('fail');
  });

  it('when the face reflects another sequence, then flash_reflectance fails', async () => {
    const r = await analyse('selfie', await renderCapture(face, otherSequence(SEQUENCE), 8));
    expect(verdicts(r, 'antiSpoof').flash_reflectance).toBe('fail');
  });

  it('when the right sequence arrives one frame late, then flash_reflectance fails', async () => {
    const r = await analyse('selfie', await renderLate(face, SEQUENCE, 8));
    const vote = r.antiSpoof.find((v) => v.name === 'flash_reflectance');
    expect(vote?.verdict).toBe('fail');
  });

  it('when the capture is a screen replay with moire, then screen_replay fails even though the colours follow', async () => {
    const r = await analyse('selfie', await renderCapture(face, SEQUENCE, 8, { moire: 14 }));
    expect(verdicts(r, 'antiSpoof')).toMatchObject({ flash_reflectance: 'pass', screen_replay: 'fail' });
  });

  it('when frames from two different scenes are spliced, then frame_consistency fails', async () => {
    const first = await renderCapture(face, SEQUENCE, 8);
    const second = await renderCapture(await ktpScene(2, 300, 400), SEQUENCE, 8);
    const r = await analyse('selfie', [...first.slice(0, 4), ...second.slice(4)]);
    expect(verdicts(r, 'antiSpoof').frame_consistency).toBe('fail');
  });
});

describe('tamper voters on KTP cards with a sample photo as portrait', () => {
  let card: Scene;
  beforeAll(async () => {
    card = await ktpScene(12, 400, 252);
  });

  it('when a genuine card is captured, then liveness and the pixel tamper voters pass', async () => {
    const r = await analyse('ktp', await renderCapture(card, SEQUENCE, 8));
    expect(fuse(r.antiSpoof)).toBe('pass');
    expect(verdicts(r, 'tamper')).toEqual({ photocopy_greyscale: 'pass', hologram_check: 'pass', face_on_card: 'pass' });
  });

  it('when a greyscale photocopy is captured, then photocopy_greyscale fails', async () => {
    const r = await analyse('ktp', await renderCapture(photocopyOf(card), SEQUENCE, 8));
    expect(verdicts(r, 'tamper')).toMatchObject({ photocopy_greyscale: 'fail' });
  });

  it('when the portrait on the card is covered, then face_on_card fails and the pixel voters still pass', async () => {
    const r = await analyse('ktp', await renderCapture(await ktpScene(12, 400, 252, { photo: false }), SEQUENCE, 8));
    expect(verdicts(r, 'tamper')).toEqual({ photocopy_greyscale: 'pass', hologram_check: 'pass', face_on_card: 'fail' });
    expect(r.face).toBeNull();
  });
});

describe('nik_checksum (providers.md 4.1)', () => {
  const male: NikClaims = { nik: '3273051508900001', birthDate: '1990-08-15', sex: 'male' };
  const cases: Array<[string, Partial<NikClaims>, string | null]> = [
    ['a well-formed male NIK', {}, null],
    ['a woman (day + 40)', { nik: '3273055508900002', sex: 'female' }, null],
    ['a Papua Pegunungan province (95)', { nik: '9571011508900001' }, null],
    ['15 digits', { nik: '327305150890001' }, 'NIK is not 16 digits'],
    ['an unknown province', { nik: '2073051508900001' }, 'unknown province code'],
    ['day 32', { nik: '3273053208900001', birthDate: '1990-08-32' }, 'birth day field out of range'],
    ['month 13', { nik: '3273051513900001' }, 'birth month field out of range'],
    ['serial 0000', { nik: '3273051508900000' }, 'serial is 0000'],
    ['30 February', { nik: '3273053002900001', birthDate: '1990-02-30' }, 'birth date in NIK is not a calendar date'],
    ['another stated birth date', { birthDate: '1990-08-16' }, 'birth date in NIK differs from the stated birth date'],
    ['a man whose NIK says woman', { nik: '3273055508900002' }, 'sex encoded in NIK differs from the stated sex'],
    ['a woman whose NIK says man', { sex: 'female' }, 'sex encoded in NIK differs from the stated sex'],
  ];
  it.each(cases)('when the NIK is %s, then the verdict and detail follow', (_name, change, problem) => {
    const vote = nikChecksumVote({ ...male, ...change });
    expect(vote.verdict).toBe(problem ? 'fail' : 'pass');
    if (problem) expect(vote.detail).toBe(problem);
    expect(vote.detail).not.toContain(change.nik ?? male.nik);
  });

  it('when 29 February falls in a leap year, then it is a real date', () => {
    expect(nikChecksumVote({ nik: '3273052902000001', birthDate: '2000-02-29', sex: 'male' }).verdict).toBe('pass');
    expect(nikChecksumVote({ nik: '3273052902010001', birthDate: '2001-02-29', sex: 'male' }).verdict).toBe('fail');
  });
});

describe('score bands and fusion', () => {
  it('when higher is better, then scores at the pass edge pass, at the fail edge fail and in between are uncertain', () => {
    expect([0.7, 0.5, 0.35].map((s) => verdictOf(s, { pass: 0.7, fail: 0.35 }))).toEqual(['pass', 'uncertain', 'fail']);
  });
  it('when lower is better, then the band reads the other way', () => {
    expect([2, 3, 3.5].map((s) => verdictOf(s, { pass: 2, fail: 3.5 }))).toEqual(['pass', 'uncertain', 'fail']);
  });
  it('when any voter fails, then the fusion fails; else any uncertain makes it uncertain', () => {
    const v = (verdict: 'pass' | 'fail' | 'uncertain') => ({ name: 'x', verdict, score: 0, detail: '' });
    expect(fuse([v('pass'), v('uncertain'), v('fail')])).toBe('fail');
    expect(fuse([v('pass'), v('uncertain')])).toBe('uncertain');
    expect(fuse([v('pass')])).toBe('pass');
  });
});

describe('analysis pool', () => {
  it('when frames are analysed in the pool, then the event loop keeps ticking meanwhile', async () => {
    const pool = new AnalysisPool({ size: 2, taskTimeoutMs: 20_000 });
    const frames = await renderCapture(await faceScene(5, 360, 480), SEQUENCE, 8);
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 5);
    try {
      const started = Date.now();
      const results = await Promise.all([1, 2, 3].map(() => pool.run(analysisTask(cfg, 'selfie', frames, SEQUENCE))));
      const elapsed = Date.now() - started;
      expect(results.every((r) => r.ok)).toBe(true);
      // With the work on the main thread the interval could not fire at all until the analysis ended.
      expect(ticks).toBeGreaterThan(elapsed / 5 / 4);
    } finally {
      clearInterval(timer);
      await pool.close();
    }
  });

  it('when a task outlives its timeout, then it fails with a timeout error', async () => {
    const pool = new AnalysisPool({ size: 1, taskTimeoutMs: 1 });
    const frames = await renderCapture(await faceScene(5, 360, 480), SEQUENCE, 8);
    try {
      await expect(pool.run(analysisTask(cfg, 'selfie', frames, SEQUENCE))).rejects.toThrow('frame analysis timed out');
    } finally {
      await pool.close();
    }
  });
});
