/**
 * Confusion table of the in-house engine's voters on the generated set (test/engine/fixtures/synth.ts):
 * live selfies against each attack, genuine KTP cards against each tamper. Every sample gets a fresh
 * random challenge sequence; sample i shows person i mod 13 of the frontal faces in face-api's sample
 * photos (selfie and card portrait), so 26 samples show every person twice.
 *
 *   node --import tsx bench/engine-confusion.ts [samples per class, default 26]
 *
 * The faces are real but the captures are rendered (flash, moire, photocopy and scan are simulated),
 * so this measures whether the voters separate the attacks they were designed for on real faces, not
 * real-world error rates.
 */
import os from 'node:os';
import type { AnalysisResult } from '../src/engine/analyse-frames';
import { analysisTask } from '../src/engine/engine';
import { engineConfig } from '../src/engine/engine-config';
import { randomSequence, type Rgb } from '../src/engine/flash-sequence';
import { AnalysisPool } from '../src/engine/pool';
import { nikChecksumVote } from '../src/engine/voters/nik-checksum';
import { fuse, type Vote } from '../src/engine/voter';
import {
  faceScene,
  ktpScene,
  otherSequence,
  photocopyOf,
  printOf,
  renderCapture,
  renderLate,
  renderStatic,
  scanOf,
} from '../test/engine/fixtures/synth';

const SAMPLES = Number(process.argv[2] ?? 26);
const FRAMES = 8;
const cfg = engineConfig();
const pool = new AnalysisPool({ size: Math.max(1, os.availableParallelism() - 1), taskTimeoutMs: 60_000 });

type Outcome = 'passed' | 'requires_review' | 'liveness failed' | 'tamper failed';

const VALID_NIK = { nik: '3273051508900001', birthDate: '1990-08-15', sex: 'male' as const };
const BROKEN_NIK = { ...VALID_NIK, nik: '3273051513900001' };

interface Case {
  group: 'selfie' | 'ktp';
  name: string;
  frames(seed: number, sequence: Rgb[]): Promise<Buffer[]>;
  nik?: typeof VALID_NIK;
}

// A 300x400 selfie; a 480x303 card (ID-1 at ~5.6 px/mm: narrower cards leave the portrait's face under
// ~80 px, where the detector misses some people).
const face = (seed: number) => faceScene(seed, 300, 400);
const card = (seed: number, photo = true) => ktpScene(seed, 480, 303, { photo });
const CASES: Case[] = [
  { group: 'selfie', name: 'live', frames: async (s, q) => renderCapture(await face(s), q, FRAMES, { seed: s }) },
  { group: 'selfie', name: 'static photo re-shown', frames: async (s) => renderStatic(await face(s), FRAMES, { seed: s }) },
  { group: 'selfie', name: 'printed photo held up', frames: async (s, q) => renderCapture(printOf(await face(s)), q, FRAMES, { seed: s }) },
  {
    group: 'selfie',
    name: 'wrong sequence',
    frames: async (s, q) => renderCapture(await face(s), otherSequence(q), FRAMES, { seed: s }),
  },
  { group: 'selfie', name: 'sequence one frame late', frames: async (s, q) => renderLate(await face(s), q, FRAMES, { seed: s }) },
  {
    group: 'selfie',
    name: 'screen replay (moire)',
    frames: async (s, q) => renderCapture(await face(s), q, FRAMES, { seed: s, moire: 14 }),
  },
  { group: 'ktp', name: 'genuine card', nik: VALID_NIK, frames: async (s, q) => renderCapture(await card(s), q, FRAMES, { seed: s }) },
  {
    group: 'ktp',
    name: 'greyscale photocopy',
    nik: VALID_NIK,
    frames: async (s, q) => renderCapture(photocopyOf(await card(s)), q, FRAMES, { seed: s }),
  },
  {
    group: 'ktp',
    name: 'colour scan (flat hologram)',
    nik: VALID_NIK,
    frames: async (s, q) => renderCapture(scanOf(await card(s)), q, FRAMES, { seed: s }),
  },
  { group: 'ktp', name: 'modified NIK', nik: BROKEN_NIK, frames: async (s, q) => renderCapture(await card(s), q, FRAMES, { seed: s }) },
  {
    group: 'ktp',
    name: 'portrait covered (no face)',
    nik: VALID_NIK,
    frames: async (s, q) => renderCapture(await card(s, false), q, FRAMES, { seed: s }),
  },
];

function outcomeOf(result: AnalysisResult, c: Case): Outcome {
  if (!result.ok) throw new Error('a generated frame did not decode');
  const antiSpoof = fuse(result.antiSpoof);
  const tamperVotes: Vote[] = c.nik ? [nikChecksumVote(c.nik), ...result.tamper] : [];
  const tamper = fuse(tamperVotes);
  if (antiSpoof === 'fail') return 'liveness failed';
  if (tamper === 'fail') return 'tamper failed';
  return antiSpoof === 'uncertain' || tamper === 'uncertain' ? 'requires_review' : 'passed';
}

/** Lowest and highest score of each voter over a class's samples: how far each class sits from the thresholds. */
class ScoreRanges {
  private readonly ranges = new Map<string, [number, number]>();

  add(votes: readonly Vote[]): void {
    for (const v of votes) {
      const [lo, hi] = this.ranges.get(v.name) ?? [Infinity, -Infinity];
      this.ranges.set(v.name, [Math.min(lo, v.score), Math.max(hi, v.score)]);
    }
  }

  cell(voter: string): string {
    const range = this.ranges.get(voter);
    return range ? `${range[0].toFixed(2)} .. ${range[1].toFixed(2)}` : '';
  }
}

function scoreTable(group: Case['group'], rows: Array<[Case, ScoreRanges]>, voters: string[]): string[] {
  return [
    `| ${group} class | ${voters.join(' | ')} |`,
    `|---|${voters.map(() => '---').join('|')}|`,
    ...rows.filter(([c]) => c.group === group).map(([c, r]) => `| ${c.name} | ${voters.map((v) => r.cell(v)).join(' | ')} |`),
  ];
}

async function main(): Promise<void> {
  const outcomes: Outcome[] = ['passed', 'requires_review', 'liveness failed', 'tamper failed'];
  const lines = [`| class | ${outcomes.join(' | ')} |`, `|---|${outcomes.map(() => '---:').join('|')}|`];
  const scores: Array<[Case, ScoreRanges]> = [];
  for (const c of CASES) {
    const counts = new Map<Outcome, number>();
    const ranges = new ScoreRanges();
    const runs: Array<Promise<void>> = [];
    for (let i = 0; i < SAMPLES; i++) {
      const sequence = randomSequence(cfg.challenge.sequenceLength);
      const frames = await c.frames(1000 + i, sequence);
      runs.push(
        pool.run(analysisTask(cfg, c.group, frames, sequence)).then((r) => {
          const outcome = outcomeOf(r, c);
          counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
          if (r.ok) ranges.add([...r.antiSpoof, ...r.tamper]);
        }),
      );
    }
    await Promise.all(runs);
    lines.push(`| ${c.group}: ${c.name} | ${outcomes.map((o) => counts.get(o) ?? 0).join(' | ')} |`);
    scores.push([c, ranges]);
  }
  await pool.close();
  const selfieVoters = ['flash_reflectance', 'frame_consistency', 'screen_replay', 'flash_relief', 'single_face'];
  const ktpVoters = ['flash_reflectance', 'screen_replay', 'photocopy_greyscale', 'hologram_check', 'face_on_card'];
  process.stdout.write(
    [
      `${SAMPLES} samples per class, ${FRAMES} frames each, ${os.cpus()[0]?.model ?? 'unknown CPU'} x${os.cpus().length}`,
      '',
      ...lines,
      '',
      'Scores, lowest .. highest (thresholds in config/engine.json):',
      '',
      ...scoreTable('selfie', scores, selfieVoters),
      '',
      ...scoreTable('ktp', scores, ktpVoters),
    ].join('\n') + '\n',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
