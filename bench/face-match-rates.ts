/**
 * Same-person / different-person table for the engine's face matcher: true match rate (TMR) and false
 * match rate (FMR) at several similarity thresholds, the configured one marked.
 *
 *   node --import tsx bench/face-match-rates.ts
 *
 * Faces: the 22 people in the sample photos that @vladmandic/face-api ships (test/engine/fixtures/
 * sample-faces.json), each as 4 portrait variants (test/faces/portraits.ts: framing, exposure, colour
 * cast, blur, rotation, JPEG quality). Same-person pairs are two variants of one person; the set has one
 * photo per person, so these pairs are easier than two photos taken on different days, and the TMR here
 * is an upper bound. Different-person pairs are every pair of two people's variants, which is the
 * honest part: 22 young women, several with similar make-up, from the same few group photos.
 * Descriptors come from the engine's worker pool (`describe` task), exactly as POST /v1/matches gets them.
 *
 * A second table uses the project's generated captures, for the 13 frontal people: the face the engine
 * keeps from a live, flash-lit 480x640 selfie bundle (the `analyse` task, as POST /v1/captures runs it)
 * against (a) the same people's portraits and (b) the portrait the engine keeps from their generated KTP
 * card: the `ktp_extract` reference a pool match meets.
 */
import os from 'node:os';
import { engineConfig } from '../src/engine/engine-config';
import { similarity } from '../src/engine/face-analysis/similarity';
import { analysisTask } from '../src/engine/engine';
import { randomSequence } from '../src/engine/flash-sequence';
import { AnalysisPool } from '../src/engine/pool';
import { SAMPLE_FACES } from '../test/engine/fixtures/face-photos';
import { faceScene, ktpScene, renderCapture } from '../test/engine/fixtures/synth';
import { FACE_IDS, portraitJpeg, VARIANTS } from '../test/faces/portraits';

const THRESHOLDS = [0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65];

async function main(): Promise<void> {
  const cfg = engineConfig();
  const pool = new AnalysisPool({ size: Math.max(1, os.availableParallelism()), taskTimeoutMs: 60_000 });
  const people: Array<{ id: string; descriptors: Float32Array[] }> = [];
  let missed = 0;
  await Promise.all(
    FACE_IDS.map(async (id) => {
      const descriptors: Float32Array[] = [];
      for (const variant of VARIANTS) {
        const result = await pool.run({ op: 'describe', frames: [await portraitJpeg(id, variant)], face: cfg.face });
        if (result.ok && result.face) descriptors.push(result.face.descriptor);
        else missed++;
      }
      people.push({ id, descriptors });
    }),
  );
  people.sort((a, b) => a.id.localeCompare(b.id));

  // The project's generated captures: what the engine keeps from a live selfie and from a KTP card.
  const captured: Array<{ id: string; selfie: Float32Array | null; card: Float32Array | null }> = [];
  for (const [i, face] of SAMPLE_FACES.entries()) {
    const sequence = randomSequence(cfg.challenge.sequenceLength);
    const selfieFrames = await renderCapture(await faceScene(i, 480, 640, { face: face.id }), sequence, 8, { seed: i + 1 });
    const cardFrames = await renderCapture(await ktpScene(i, 640, 404, { face: face.id }), sequence, 6, { seed: i + 1 });
    const [selfie, card] = await Promise.all([
      pool.run(analysisTask(cfg, 'selfie', selfieFrames, sequence)),
      pool.run(analysisTask(cfg, 'ktp', cardFrames, sequence)),
    ]);
    captured.push({
      id: face.id,
      selfie: selfie.ok ? (selfie.face?.descriptor ?? null) : null,
      card: card.ok ? (card.face?.descriptor ?? null) : null,
    });
  }
  await pool.close();

  const genuine: number[] = [];
  const impostor: number[] = [];
  for (const [i, a] of people.entries()) {
    for (let x = 0; x < a.descriptors.length; x++) {
      for (let y = x + 1; y < a.descriptors.length; y++) genuine.push(similarity(a.descriptors[x]!, a.descriptors[y]!));
      for (const b of people.slice(i + 1)) for (const d of b.descriptors) impostor.push(similarity(a.descriptors[x]!, d));
    }
  }
  const images = FACE_IDS.length * VARIANTS.length;
  console.log(`people ${people.length}, images ${images}, no face found in ${missed}`);
  console.log(`same-person pairs ${genuine.length}, different-person pairs ${impostor.length}`);
  const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1)}%`;
  console.log('\n| threshold | TMR (same person matched) | FMR (different people matched) |');
  console.log('|---|---|---|');
  for (const t of THRESHOLDS) {
    const tm = genuine.filter((s) => s >= t).length;
    const fm = impostor.filter((s) => s >= t).length;
    const mark = t === cfg.face.matchThreshold ? ' **(configured)**' : '';
    console.log(`| ${t.toFixed(2)}${mark} | ${pct(tm, genuine.length)} (${tm}/${genuine.length}) | ${pct(fm, impostor.length)} (${fm}/${impostor.length}) |`);
  }
  const selfies = captured.filter((c) => c.selfie);
  const cards = captured.filter((c) => c.card);
  const pairs = (refs: Array<{ id: string; d: Float32Array }>) => {
    const same: number[] = [];
    const other: number[] = [];
    for (const s of selfies) for (const r of refs) (r.id === s.id ? same : other).push(similarity(s.selfie!, r.d));
    return { same, other };
  };
  const vsPortrait = pairs(people.flatMap((p) => p.descriptors.map((d) => ({ id: p.id, d }))));
  const vsCard = pairs(cards.map((c) => ({ id: c.id, d: c.card! })));
  console.log(`\ngenerated captures: ${selfies.length} of ${captured.length} selfies and ${cards.length} of ${captured.length} cards kept a face`);
  console.log('\n| probe: live selfie bundle, against | threshold | TMR | FMR |\n|---|---|---|---|');
  for (const [name, set] of [
    ['portraits', vsPortrait],
    ['KTP card portraits (ktp_extract)', vsCard],
  ] as const) {
    for (const t of THRESHOLDS.filter((x) => x >= 0.45 && x <= 0.6)) {
      const tm = set.same.filter((s) => s >= t).length;
      const fm = set.other.filter((s) => s >= t).length;
      const mark = t === cfg.face.matchThreshold ? ' **(configured)**' : '';
      console.log(`| ${name} | ${t.toFixed(2)}${mark} | ${pct(tm, set.same.length)} (${tm}/${set.same.length}) | ${pct(fm, set.other.length)} (${fm}/${set.other.length}) |`);
    }
  }
  const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))]!.toFixed(3);
  console.log(`\nsimilarity, same person: min ${q(genuine, 0)} p5 ${q(genuine, 0.05)} median ${q(genuine, 0.5)}`);
  console.log(`similarity, different people: median ${q(impostor, 0.5)} p99 ${q(impostor, 0.99)} max ${q(impostor, 1)}`);
}

void main();
