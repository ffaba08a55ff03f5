/**
 * The gateway-overhead report: per engine and concurrency, a table of medians (min–max) of the repeated
 * runs per target, then the ratios, CPU and round-trip lines; at the end one summary row per engine and
 * concurrency.
 */
import type { RunResult } from './children';
import type { DbCounts, RedisCounts } from './counting';
import type { CpuSpent } from './cpu';

export type TargetId = 'B0' | 'B1' | 'F' | 'G';

export const TARGET_NAMES: Record<TargetId, string> = {
  B0: 'B0 simulator alone',
  B1: 'B1 bare node:http proxy',
  F: 'F floor app (Express, Redis GET, INSERT)',
  G: 'G gateway',
};

/** One measured run of one target. */
export interface Sample extends RunResult {
  cpu: CpuSpent;
  /** Round trips of the target's own handles (F and G only). */
  db?: DbCounts;
  redis?: RedisCounts;
  /** Commands the Redis server processed during the run, all clients (F and G only). */
  serverRedisCommands?: number;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const f = (n: number, digits: number) => n.toFixed(digits);
const withSpread = (values: number[], digits: number) =>
  values.length > 1
    ? `${f(median(values), digits)} (${f(Math.min(...values), digits)}–${f(Math.max(...values), digits)})`
    : f(median(values), digits);

/** The medians of one target at one concurrency. */
export interface Medians {
  rps: number;
  p50: number;
  p99: number;
  cpuMs: number;
  mainThreadMs: number | undefined;
  elu: number;
  machineBusy: number | undefined;
}

export function medians(samples: Sample[]): Medians {
  const medianIfAll = (pick: (s: Sample) => number | undefined) => {
    const values = samples.map((s) => pick(s)).filter((v): v is number => v !== undefined);
    return values.length === samples.length ? median(values) : undefined;
  };
  return {
    rps: median(samples.map((s) => s.rps)),
    p50: median(samples.map((s) => s.p50)),
    p99: median(samples.map((s) => s.p99)),
    cpuMs: medianIfAll((s) => s.cpu.processMs / Math.max(1, s.requests)) as number,
    mainThreadMs: medianIfAll((s) => (s.cpu.mainThreadMs === undefined ? undefined : s.cpu.mainThreadMs / Math.max(1, s.requests))),
    elu: median(samples.map((s) => s.cpu.eventLoopUtilisation)),
    machineBusy: medianIfAll((s) => s.cpu.machineBusy),
  };
}

function cpuLine(id: TargetId, m: Medians): string {
  const main = m.mainThreadMs === undefined ? 'main thread n/a' : `main thread ${f(m.mainThreadMs, 3)}`;
  const machine = m.machineBusy === undefined ? '' : `, machine ${f(m.machineBusy * 100, 0)} % busy`;
  return `${id} ${f(m.cpuMs, 3)} ms (${main}, event loop ${f(m.elu * 100, 0)} % busy${machine})`;
}

/** Round trips of all runs pooled: totals over total requests. */
function roundTripLine(id: TargetId, samples: Sample[]): string {
  const n = samples.reduce((a, s) => a + s.requests, 0) || 1;
  const sum = (pick: (s: Sample) => number) => samples.reduce((a, s) => a + pick(s), 0) / n;
  const db = (k: keyof DbCounts) => sum((s) => s.db?.[k] ?? 0);
  const redis = (k: keyof RedisCounts) => sum((s) => s.redis?.[k] ?? 0);
  return (
    `${id} db ${f(db('roundTrips'), 2)} (${f(db('queries'), 2)} single queries of which ${f(db('autocommitWrites'), 2)} writes; ` +
    `${f(db('transactions'), 2)} transactions of which ${f(db('writeTransactions'), 2)} write, ${f(db('statementsInTransactions'), 2)} statements inside), ` +
    `redis ${f(redis('roundTrips'), 2)} (${f(redis('commands'), 2)} commands; the server counted ${f(
      sum((s) => s.serverRedisCommands ?? 0),
      2,
    )} from all clients)`
  );
}

export function cellReport(engine: string, c: number, runs: Record<TargetId, Sample[]>, reps: number): string[] {
  const m = Object.fromEntries((Object.keys(runs) as TargetId[]).map((id) => [id, medians(runs[id])])) as Record<TargetId, Medians>;
  const lines = [
    '',
    `### ${engine}, c=${c}: medians of ${reps} runs (min–max)`,
    '',
    '| target | req/s | p50 ms | p99 ms | non-200 |',
    '|---|---|---|---|---|',
  ];
  for (const id of Object.keys(runs) as TargetId[]) {
    const s = runs[id];
    lines.push(
      `| ${TARGET_NAMES[id]} | ${withSpread(
        s.map((x) => x.rps),
        0,
      )} | ${withSpread(
        s.map((x) => x.p50),
        2,
      )} | ` +
        `${withSpread(
          s.map((x) => x.p99),
          2,
        )} | ${s.reduce((a, x) => a + x.errors, 0)} |`,
    );
  }
  lines.push(
    '',
    `ratios: G/F ${f(m.G.rps / m.F.rps, 2)}, G/B1 ${f(m.G.rps / m.B1.rps, 2)}, F/B1 ${f(m.F.rps / m.B1.rps, 2)}; ` +
      `added p50 over B0: G ${f(m.G.p50 - m.B0.p50, 2)} ms, F ${f(m.F.p50 - m.B0.p50, 2)} ms; ` +
      `added p99: G ${f(m.G.p99 - m.B0.p99, 2)} ms, F ${f(m.F.p99 - m.B0.p99, 2)} ms`,
    `CPU per verification in the server process (median of runs): ${cpuLine('G', m.G)}; ${cpuLine('F', m.F)}; ${cpuLine('B1', m.B1)}; ` +
      `background while the process only waits (B0 runs): ${f(median(runs.B0.map((s) => (s.cpu.processMs / s.cpu.wallMs) * 1000)), 1)} ms/s`,
    `round trips per verification (runs pooled): ${roundTripLine('G', runs.G)}`,
    `round trips per verification (runs pooled): ${roundTripLine('F', runs.F)}`,
  );
  return lines;
}

export interface SummaryRow {
  engine: string;
  c: number;
  runs: Record<TargetId, Sample[]>;
}

export function summary(rows: SummaryRow[]): string[] {
  const lines = [
    '',
    '### Summary (medians)',
    '',
    '| engine | c | G req/s | F req/s | B1 req/s | G/F | G/B1 | F/B1 | G−B0 p50 ms | F−B0 p50 ms | G CPU ms/verif. | F CPU ms/verif. | G db rt | G redis rt |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const { engine, c, runs } of rows) {
    const m = Object.fromEntries((Object.keys(runs) as TargetId[]).map((id) => [id, medians(runs[id])])) as Record<TargetId, Medians>;
    const n = runs.G.reduce((a, s) => a + s.requests, 0) || 1;
    const dbRt = runs.G.reduce((a, s) => a + (s.db?.roundTrips ?? 0), 0) / n;
    const redisRt = runs.G.reduce((a, s) => a + (s.redis?.roundTrips ?? 0), 0) / n;
    lines.push(
      `| ${engine} | ${c} | ${f(m.G.rps, 0)} | ${f(m.F.rps, 0)} | ${f(m.B1.rps, 0)} | ${f(m.G.rps / m.F.rps, 2)} | ${f(m.G.rps / m.B1.rps, 2)} | ` +
        `${f(m.F.rps / m.B1.rps, 2)} | ${f(m.G.p50 - m.B0.p50, 2)} | ${f(m.F.p50 - m.B0.p50, 2)} | ${f(m.G.cpuMs, 3)} | ${f(m.F.cpuMs, 3)} | ` +
        `${f(dbRt, 2)} | ${f(redisRt, 2)} |`,
    );
  }
  return lines;
}
