/**
 * Confusion table of the in-house engine's voters on the generated set (test/engine/fixtures/synth.ts):
 * live selfies against each attack, genuine KTP cards against each tamper. Every sample gets a fresh
 * random challenge sequence and its own synthetic subject.
 *
 *   node --import tsx bench/engine-confusion.ts [samples per class, default 20]
 *
 * The set is synthetic, so this measures whether the voters separate the attacks they were designed
 * for, not real-world error rates.
 */
import os from 'node:os';
import type { AnalysisResult } from '../src/engine/analyse-frames';
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
  renderCapture,
  renderLate,
  renderStatic,
  scanOf,
} from '../test/engine/fixtures/synth';

const SAMPLES = Number(process.argv[2] ?? 20);
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

const face = (seed: number) => faceScene(seed, 300, 400);
const card = (seed: number) => ktpScene(seed, 400, 252);
const CASES: Case[] = [
  { group: 'selfie', name: 'live', frames: (s, q) => renderCapture(face(s), q, FRAMES, { seed: s }) },
  { group: 'selfie', name: 'static photo re-shown', frames: (s) => renderStatic(face(s), FRAMES, { seed: s }) },
  { group: 'selfie', name: 'wrong sequence', frames: (s, q) => renderCapture(face(s), otherSequence(q), FRAMES, { seed: s }) },
  { group: 'selfie', name: 'sequence one frame late', frames: (s, q) => renderLate(face(s), q, FRAMES, { seed: s }) },
  { group: 'selfie', name: 'screen replay (moire)', frames: (s, q) => renderCapture(face(s), q, FRAMES, { seed: s, moire: 14 }) },
  { group: 'ktp', name: 'genuine card', nik: VALID_NIK, frames: (s, q) => renderCapture(card(s), q, FRAMES, { seed: s }) },
  {
    group: 'ktp',
    name: 'greyscale photocopy',
    nik: VALID_NIK,
    frames: (s, q) => renderCapture(photocopyOf(card(s)), q, FRAMES, { seed: s }),
  },
  {
    group: 'ktp',
    name: 'colour scan (flat hologram)',
    nik: VALID_NIK,
    frames: (s, q) => renderCapture(scanOf(card(s)), q, FRAMES, { seed: s }),
  },
  { group: 'ktp', name: 'modified NIK', nik: BROKEN_NIK, frames: (s, q) => renderCapture(card(s), q, FRAMES, { seed: s }) },
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

async function main(): Promise<void> {
  const outcomes: Outcome[] = ['passed', 'requires_review', 'liveness failed', 'tamper failed'];
  const lines = [`| class | ${outcomes.join(' | ')} |`, `|---|${outcomes.map(() => '---:').join('|')}|`];
  for (const c of CASES) {
    const counts = new Map<Outcome, number>();
    const runs: Array<Promise<void>> = [];
    for (let i = 0; i < SAMPLES; i++) {
      const sequence = randomSequence(cfg.challenge.sequenceLength);
      const frames = await c.frames(1000 + i, sequence);
      runs.push(
        pool.run({ kind: c.group, frames, sequence, maxSide: cfg.capture.analysisMaxSide, thresholds: cfg.thresholds }).then((r) => {
          const outcome = outcomeOf(r, c);
          counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
        }),
      );
    }
    await Promise.all(runs);
    lines.push(`| ${c.group}: ${c.name} | ${outcomes.map((o) => counts.get(o) ?? 0).join(' | ')} |`);
  }
  await pool.close();
  process.stdout.write(
    `${SAMPLES} samples per class, ${FRAMES} frames each, ${os.cpus()[0]?.model ?? 'unknown CPU'} x${os.cpus().length}\n\n${lines.join('\n')}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
