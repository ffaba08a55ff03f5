/**
 * Main-thread cost of PGlite in-process vs in its worker thread (pglite-thread.ts). Not part of the app:
 *
 *   node --import tsx bench/pglite-thread.ts [inprocess|thread] [dir]
 *
 * Each mode runs in a process of its own (default: both, one after the other, each in a child process).
 * Per mode: 2,000 single-row INSERT transactions one after another, 2,000 SELECTs by primary key one after
 * another, the same SELECTs 16 at a time, then the event-loop delay while a burst of 200 statements (issued at
 * once) runs. Main-thread CPU is the main thread's own (Linux /proc/self/task/<pid>/stat, 10 ms ticks) and
 * its event-loop active time (performance.eventLoopUtilization); process CPU adds the worker's.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import { openDb, type Db } from '../src/store/db';

const N = 2000;
const BURST = 200;

/** The main thread's CPU time in ms (user + system), from its /proc task entry. */
function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

async function measure(label: string, ops: number, run: () => Promise<void>, worker?: Worker): Promise<void> {
  const elu = performance.eventLoopUtilization();
  const workerElu = worker?.performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const main = mainThreadCpuMs();
  const start = performance.now();
  await run();
  const wall = performance.now() - start;
  const active = performance.eventLoopUtilization(elu).active;
  const mainCpu = mainThreadCpuMs() - main;
  const proc = process.cpuUsage(cpu);
  const us = (ms: number) => `${((ms * 1000) / ops).toFixed(0).padStart(4)} µs`;
  const workerActive = worker && workerElu ? `  worker loop active ${us(worker.performance.eventLoopUtilization(workerElu).active)}` : '';
  console.log(
    `${label.padEnd(38)} ${String(Math.round((ops * 1000) / wall)).padStart(5)} ops/s  main-thread CPU ${us(mainCpu)}` +
      `  main loop active ${us(active)}  process CPU ${us((proc.user + proc.system) / 1000)}${workerActive}`,
  );
}

async function bench(mode: 'inprocess' | 'thread', dir: string): Promise<void> {
  const opened = performance.now();
  const db: Db = await openDb({ pgliteDir: dir, pgliteThread: mode === 'thread' });
  console.log(`${mode}: opened ${dir} in ${(performance.now() - opened).toFixed(0)} ms`);
  await db.query('CREATE TABLE bench (id int PRIMARY KEY, name text NOT NULL, at timestamptz NOT NULL, doc jsonb, raw bytea)');
  const insert = (tx: Pick<Db, 'query'>, id: number) =>
    tx.query('INSERT INTO bench (id, name, at, doc, raw) VALUES ($1, $2, $3, $4, $5)', [
      id,
      `row ${id}`,
      new Date(),
      { id, tags: ['a', 'b'] },
      Buffer.alloc(64, id % 256),
    ]);
  const select = (id: number) => db.query('SELECT * FROM bench WHERE id = $1', [id]);
  const worker = 'worker' in db ? (db.worker as Worker) : undefined;
  // Warm-up (JIT, PGlite's caches) on rows the measured runs do not touch.
  for (let i = 0; i < 200; i++) await db.transaction((tx) => insert(tx, -1 - i));
  for (let i = 0; i < 200; i++) await select(-1 - (i % 200));

  await measure(
    `${mode}: INSERT transaction, serial`,
    N,
    async () => {
      for (let i = 0; i < N; i++) await db.transaction((tx) => insert(tx, i));
    },
    worker,
  );
  await measure(
    `${mode}: INSERT transaction, 16 at a time`,
    N,
    async () => {
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < N) {
            const id = N + next++;
            await db.transaction((tx) => insert(tx, id));
          }
        }),
      );
    },
    worker,
  );
  await measure(
    `${mode}: SELECT by key, serial`,
    N,
    async () => {
      for (let i = 0; i < N; i++) await select(i);
    },
    worker,
  );
  await measure(
    `${mode}: SELECT by key, 16 at a time`,
    N,
    async () => {
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < N) await select(next++);
        }),
      );
    },
    worker,
  );

  const delay = monitorEventLoopDelay({ resolution: 1 });
  let ticks = 0;
  let last = performance.now();
  let longestGap = 0;
  // A timer that wants to run every ms: how often could it while the burst ran, and how long did it wait?
  const ticker = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
    ticks++;
  }, 1);
  // Enabled ahead (no reset: that drops the baseline sample, and a block right after goes unseen).
  delay.enable();
  await new Promise((resolve) => setTimeout(resolve, 20));
  ticks = 0;
  longestGap = 0;
  last = performance.now();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: BURST }, (_, i) => (i % 2 ? select(i) : db.query('UPDATE bench SET name = $2 WHERE id = $1', [i, 'x']))),
  );
  const wall = performance.now() - start;
  await new Promise((resolve) => setTimeout(resolve, 5)); // the delay monitor samples the loop's first turn after
  delay.disable();
  clearInterval(ticker);
  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  console.log(
    `${mode}: burst of ${BURST} statements took ${wall.toFixed(0)} ms; event-loop delay max ${ms(delay.max)} ms, ` +
      `p99 ${ms(delay.percentile(99))} ms; a 1 ms timer ran ${ticks} times, longest gap ${longestGap.toFixed(1)} ms`,
  );
  await db.close();
}

async function main(): Promise<void> {
  const [mode, dirArg] = process.argv.slice(2);
  if (mode === 'inprocess' || mode === 'thread') {
    const dir = dirArg ?? mkdtempSync(path.join(tmpdir(), 'pglite-bench-'));
    try {
      await bench(mode, dir);
    } finally {
      if (!dirArg && !dir.startsWith('memory://')) rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  for (const m of ['inprocess', 'thread']) {
    execFileSync(process.execPath, [...process.execArgv, __filename, m, ...(dirArg ? [dirArg] : [])], { stdio: 'inherit' });
  }
}

void main();
