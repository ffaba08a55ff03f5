/**
 * Engine latency on this machine: p50/p95 of the analysis (decode, pixel voters and face detection, in the worker pool)
 * of one 8-frame selfie capture and one KTP capture, and the main thread's event-loop delay p99 while
 * the pool is saturated, next to the delay when the same work runs on the main thread instead.
 *
 *   node --import tsx bench/engine-latency.ts [captures per measurement, default 30]
 *
 * It measures the engine, not HTTP: JSON parsing, base64 decoding and Postgres writes are not included.
 */
import os from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { analyseFrames, type AnalysisTask } from '../src/engine/analyse-frames';
import { analysisTask } from '../src/engine/engine';
import { engineConfig } from '../src/engine/engine-config';
import { randomSequence } from '../src/engine/flash-sequence';
import { AnalysisPool } from '../src/engine/pool';
import { faceScene, ktpScene, renderCapture } from '../test/engine/fixtures/synth';

const RUNS = Number(process.argv[2] ?? 30);
const cfg = engineConfig();

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function timeEach(pool: AnalysisPool, task: AnalysisTask): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await pool.run(task);
    times.push(performance.now() - started);
  }
  return times;
}

async function main(): Promise<void> {
  const sequence = randomSequence(cfg.challenge.sequenceLength);
  // A 720x960 selfie and an 856x540 card (ID-1 at ~10 px/mm), 8 frames each, of a frontal sample person.
  const person = { face: 's6f0' };
  const selfie = analysisTask(cfg, 'selfie', await renderCapture(await faceScene(1, 720, 960, person), sequence, 8), sequence);
  const ktp = analysisTask(cfg, 'ktp', await renderCapture(await ktpScene(1, 856, 540, person), sequence, 8), sequence);
  const pool = new AnalysisPool(cfg.pool);
  await pool.run(selfie); // start the workers and warm them up

  const selfieTimes = await timeEach(pool, selfie);
  const ktpTimes = await timeEach(pool, ktp);

  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const started = performance.now();
  await Promise.all(Array.from({ length: RUNS }, (_, i) => pool.run(i % 2 ? ktp : selfie)));
  const saturatedSeconds = (performance.now() - started) / 1000;
  loop.disable();
  const pooledP99 = loop.percentile(99) / 1e6;
  await pool.close();

  const inline = monitorEventLoopDelay({ resolution: 10 });
  inline.enable();
  for (let i = 0; i < 3; i++) await analyseFrames(selfie);
  inline.disable();

  const cpus = os.cpus();
  process.stdout.write(
    [
      `machine: ${cpus[0]?.model ?? 'unknown CPU'} x${cpus.length}, node ${process.version}, pool ${cfg.pool.size} workers, analysis at <= ${cfg.capture.analysisMaxSide} px`,
      `8-frame selfie (720x960 JPEG): p50 ${ms(percentile(selfieTimes, 50))}, p95 ${ms(percentile(selfieTimes, 95))} (${RUNS} runs)`,
      `8-frame KTP (856x540 JPEG):    p50 ${ms(percentile(ktpTimes, 50))}, p95 ${ms(percentile(ktpTimes, 95))} (${RUNS} runs)`,
      `saturated pool: ${RUNS} captures in ${saturatedSeconds.toFixed(1)} s (${(RUNS / saturatedSeconds).toFixed(1)}/s); main-thread event-loop delay p99 ${ms(pooledP99)}`,
      `same analysis on the main thread instead: event-loop delay p99 ${ms(inline.percentile(99) / 1e6)}, max ${ms(inline.max / 1e6)}`,
    ].join('\n') + '\n',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
