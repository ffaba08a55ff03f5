/**
 * The engine against the capture lab (test/engine/fixtures/lab): realistic genuine captures and attacks
 * in two splits, calibration (7 people, seeds from 1) and evaluation (the other 6, seeds from 1,000,000).
 * Thresholds are fitted on calibration (bench/fit-thresholds.ts) and reported on evaluation only.
 *
 *   node --import tsx bench/capture-lab.ts generate <calibration|evaluation> [per class, 40] [shard k/n, 0/1] [--genuine] [--selfie|--ktp] [--timed]
 *   node --import tsx bench/capture-lab.ts evaluate <calibration|evaluation> [per class, 40] [--genuine] [--selfie|--ktp] [--timed]
 *
 * `generate` renders samples into .cache/capture-lab/<split>/ (run shards in parallel on several cores);
 * `evaluate` renders what is missing, runs every capture through the engine's worker pool and the same
 * fusion as POST /v1/captures, prints the ISO/IEC 30107-3 table (APCER per attack class, BPCER and the
 * review share per genuine class) and each voter's scores, and writes the scores to
 * .cache/capture-lab/<split>-scores.json for the fitting script. `--genuine` limits either to the genuine
 * classes: the fit places the bands on genuine scores only, so the calibration split needs no attacks.
 * `--selfie` or `--ktp` limits either to one kind of capture (when working on one kind's voters), and
 * `--only=<text>` to the classes whose name contains the text.
 * `--timed` renders the same classes under timed (version 2) challenges, whose sequences draw on twelve
 * hues instead of six, into .cache/capture-lab/<split>-timed/ (scores: <split>-timed-scores.json).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { analysisTask } from '../src/engine/engine';
import { engineConfig } from '../src/engine/engine-config';
import { captureVerdicts } from '../src/engine/capture-verdicts';
import { TIMED_PALETTE, type Rgb } from '../src/engine/flash-sequence';
import { AnalysisPool } from '../src/engine/pool';
import type { NikClaims } from '../src/engine/voters/nik-checksum';
import { FRAMES, LAB_CLASSES, seedOf, type LabClass, type LabSample, type Split } from '../test/engine/fixtures/lab/classes';

export const CACHE = path.join(__dirname, '..', '.cache', 'capture-lab');

const slug = (name: string) => name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
/** The split and the challenge the captures answer: version 1's six colours, or the timed challenge's twelve. */
interface Run {
  split: Split;
  timed: boolean;
}
const runName = (run: Run) => (run.timed ? `${run.split}-timed` : run.split);
const dirOf = (run: Run, c: LabClass, i: number) => path.join(CACHE, runName(run), slug(c.name), String(i));

interface Meta {
  kind: 'selfie' | 'ktp';
  sequence: Rgb[];
  claims?: NikClaims;
  selfieSequence?: Rgb[];
}

async function load(run: Run, c: LabClass, i: number): Promise<LabSample | null> {
  const dir = dirOf(run, c, i);
  try {
    const meta = JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8')) as Meta;
    const frames = await Promise.all(Array.from({ length: FRAMES }, (_, f) => readFile(path.join(dir, `f${f}.jpg`))));
    const selfie = meta.selfieSequence
      ? {
          sequence: meta.selfieSequence,
          frames: await Promise.all(Array.from({ length: FRAMES }, (_, f) => readFile(path.join(dir, `s${f}.jpg`)))),
        }
      : undefined;
    return { kind: meta.kind, sequence: meta.sequence, frames, ...(meta.claims && { claims: meta.claims }), ...(selfie && { selfie }) };
  } catch {
    return null;
  }
}

async function sampleOf(run: Run, c: LabClass, i: number): Promise<LabSample> {
  const cached = await load(run, c, i);
  if (cached) return cached;
  const s = await c.make(seedOf(run.split, i), run.split, run.timed ? TIMED_PALETTE : undefined);
  const dir = dirOf(run, c, i);
  await mkdir(dir, { recursive: true });
  await Promise.all(s.frames.map((f, k) => writeFile(path.join(dir, `f${k}.jpg`), f)));
  if (s.selfie) await Promise.all(s.selfie.frames.map((f, k) => writeFile(path.join(dir, `s${k}.jpg`), f)));
  const meta: Meta = {
    kind: s.kind,
    sequence: s.sequence,
    ...(s.claims && { claims: s.claims }),
    ...(s.selfie && { selfieSequence: s.selfie.sequence }),
  };
  await writeFile(path.join(dir, 'meta.json'), JSON.stringify(meta));
  return s;
}

export interface ScoredSample {
  class: string;
  family: string;
  genuine: boolean;
  kind: 'selfie' | 'ktp';
  status: string;
  votes: Array<{ name: string; verdict: string; score: number }>;
}

async function evaluate(run: Run, perClass: number, classes: LabClass[]): Promise<void> {
  const cfg = engineConfig();
  const pool = new AnalysisPool({ size: Math.max(1, Math.min(2, os.availableParallelism())), taskTimeoutMs: 120_000, maxQueued: 10_000 });
  const scored: ScoredSample[] = [];
  try {
    for (const c of classes) {
      const runs: Array<Promise<void>> = [];
      for (let i = 0; i < perClass; i++) {
        const s = await sampleOf(run, c, i);
        runs.push(
          (async () => {
            const analysis = await pool.run(analysisTask(cfg, s.kind, s.frames, s.sequence));
            if (!analysis.ok) throw new Error(`${c.name} #${i}: frame ${analysis.undecodableFrame} did not decode`);
            const v = captureVerdicts({
              kind: s.kind,
              analysis,
              ...(s.claims && { claims: s.claims }),
              selfieFace: s.selfie ? await selfieFaceOf(pool, s.selfie) : null,
              thresholds: cfg.thresholds,
            });
            scored.push({
              class: c.name,
              family: c.family,
              genuine: c.genuine,
              kind: c.kind,
              status: v.status,
              votes: [...v.antiSpoof.voters, ...(v.tamper?.voters ?? [])].map(({ name, verdict, score }) => ({ name, verdict, score })),
            });
          })(),
        );
      }
      await Promise.all(runs);
      process.stderr.write(`${c.name}: done\n`);
    }
  } finally {
    await pool.close();
  }
  await mkdir(CACHE, { recursive: true });
  await writeFile(path.join(CACHE, `${runName(run)}-scores.json`), JSON.stringify(scored));
  process.stdout.write(report(runName(run), perClass, scored));
}

/** The face of the customer's selfie capture, as the API would keep it: only from a capture that passed. */
async function selfieFaceOf(pool: AnalysisPool, selfie: { frames: Buffer[]; sequence: Rgb[] }): Promise<Float32Array | null> {
  const cfg = engineConfig();
  const analysis = await pool.run(analysisTask(cfg, 'selfie', selfie.frames, selfie.sequence));
  if (!analysis.ok) return null;
  const v = captureVerdicts({ kind: 'selfie', analysis, thresholds: cfg.thresholds });
  return v.status === 'passed' && analysis.face ? analysis.face.descriptor : null;
}

const pct = (k: number, n: number) => (n === 0 ? '-' : `${((100 * k) / n).toFixed(1)}%`);

/** The ISO/IEC 30107-3 table: APCER for attacks (share accepted), BPCER for genuine captures (share rejected), review shares. */
export function report(split: string, perClass: number, scored: ScoredSample[]): string {
  const lines = [
    `Capture lab, ${split} split, ${perClass} captures per class, ${FRAMES} frames each; ${os.cpus()[0]?.model ?? 'unknown CPU'} x${os.cpus().length}, ${new Date().toISOString().slice(0, 10)}`,
    '',
    '| class | passed | review | rejected | metric |',
    '|---|---:|---:|---:|---|',
  ];
  for (const c of LAB_CLASSES) {
    const rows = scored.filter((s) => s.class === c.name);
    const n = rows.length;
    if (n === 0) continue;
    const passed = rows.filter((s) => s.status === 'passed').length;
    const review = rows.filter((s) => s.status === 'requires_review').length;
    const rejected = rows.filter((s) => s.status === 'failed').length;
    const metric = c.genuine ? `BPCER ${pct(rejected, n)}, review ${pct(review, n)}` : `APCER ${pct(passed, n)}`;
    lines.push(`| ${c.name} | ${passed} | ${review} | ${rejected} | ${metric} |`);
  }
  lines.push('', 'Voter scores per class, 5th / 50th / 95th percentile:', '');
  const voters = [...new Set(scored.flatMap((s) => s.votes.map((v) => v.name)))];
  for (const kind of ['selfie', 'ktp'] as const) {
    if (!scored.some((s) => s.kind === kind)) continue;
    const names = voters.filter((v) => scored.some((s) => s.kind === kind && s.votes.some((x) => x.name === v)));
    lines.push(`| ${kind} class | ${names.join(' | ')} |`, `|---|${names.map(() => '---').join('|')}|`);
    for (const c of LAB_CLASSES.filter((x) => x.kind === kind)) {
      const rows = scored.filter((s) => s.class === c.name);
      const cells = names.map((name) => {
        const values = rows.flatMap((s) => s.votes.filter((v) => v.name === name).map((v) => v.score)).sort((a, b) => a - b);
        const q = (p: number) => values[Math.min(values.length - 1, Math.floor(p * values.length))]?.toFixed(2) ?? '';
        return values.length ? `${q(0.05)} / ${q(0.5)} / ${q(0.95)}` : '';
      });
      lines.push(`| ${c.name} | ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

async function generate(run: Run, perClass: number, shard: string, classes: LabClass[]): Promise<void> {
  const [k, n] = shard.split('/').map(Number) as [number, number];
  for (const c of classes) {
    for (let i = 0; i < perClass; i++) if (i % n === k) await sampleOf(run, c, i);
    process.stderr.write(`${c.name}: rendered (shard ${shard})\n`);
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const kind = process.argv.includes('--ktp') ? 'ktp' : process.argv.includes('--selfie') ? 'selfie' : null;
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const classes = LAB_CLASSES.filter(
    (c) => (!process.argv.includes('--genuine') || c.genuine) && (!kind || c.kind === kind) && (!only || c.name.includes(only)),
  );
  const [command, splitArg, countArg, shard] = args;
  const split = splitArg === 'calibration' ? 'calibration' : splitArg === 'evaluation' ? 'evaluation' : null;
  if (!split || (command !== 'generate' && command !== 'evaluate')) {
    process.stderr.write(
      'usage: capture-lab.ts <generate|evaluate> <calibration|evaluation> [per class] [shard k/n] [--genuine] [--selfie|--ktp] [--only=<text>] [--timed]\n',
    );
    process.exit(2);
  }
  const perClass = Number(countArg ?? 40);
  const run: Run = { split, timed: process.argv.includes('--timed') };
  if (command === 'generate') await generate(run, perClass, shard ?? '0/1', classes);
  else await evaluate(run, perClass, classes);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
