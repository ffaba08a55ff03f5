/**
 * Gateway overhead (reliability-and-performance.md B2-B3): a sync identity_selfie to AccuAuth's simulator
 * four ways, all in one run: B0 the simulator alone, B1 a bare node:http proxy, F the floor app (Express,
 * one Redis GET, one INSERT, keep-alive proxy: bench/floor-app.ts) and G the gateway. F and G run on the
 * same database engine and the same Redis; each engine asked for gets its own G and F and its own rounds.
 * Per concurrency every target runs `--reps` times, interleaved (B0, B1, F, G, B0, B1, F, G, ...), and
 * the report gives medians (min–max). Per F and G run it also measures this process's CPU per
 * verification and the database and Redis round trips per verification; after each G run the charged
 * ledger rows must equal what the simulator charged, and after each F run F's rows its calls.
 *
 *   npx tsx bench/gateway-overhead.ts [--seconds 10] [--warmup 3] [--concurrency 1,8,32,64]
 *                                     [--db pglite|postgres|both] [--reps 3]
 *
 *   --seconds      measured seconds per run (default 10)
 *   --warmup       discarded seconds per target and engine before the rounds, at c=8 (default 3; 0 skips)
 *   --concurrency  closed-loop clients, comma-separated (default 1,8,32,64)
 *   --db           engine(s) for G and F: pglite (in memory), postgres (a fresh schema, dropped at the end)
 *                  or both; default both when DATABASE_URL or TEST_DATABASE_URL is set, else pglite
 *   --reps         runs per target and concurrency, the median reported (default 3)
 *
 * Env: REDIS_URL (default redis://127.0.0.1:6399); DATABASE_URL, else TEST_DATABASE_URL, for postgres.
 * The load generator and the simulator run in child processes (bench/children.ts), so this process holds
 * only B1, F and G, and its CPU during a run is the target's (bench/cpu.ts).
 */
import os from 'node:os';
import { Redis } from 'ioredis';
import { ACCUAUTH_SANDBOX } from '../adapters/accuauth/simulator';
import { producerConnection, whenReady } from '../src/jobs/redis';
import { migrate } from '../src/store/migrate';
import { startBareProxy } from './bare-proxy';
import { startLoadClient, startSimulator, type LoadClient, type SimulatorProcess, type Target } from './children';
import { countingDb, countRedis, delta, type DbCounts, type RedisCounts } from './counting';
import { cpuMark, cpuSince } from './cpu';
import { benchEngine, type EngineName } from './engines';
import { startFloorApp } from './floor-app';
import { startGatewayApp } from './gateway-app';
import { cellReport, summary, type Sample, type SummaryRow, type TargetId } from './report';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const SECONDS = Number(arg('seconds', '10'));
const WARMUP = Number(arg('warmup', '3'));
const CONCURRENCIES = arg('concurrency', '1,8,32,64').split(',').map(Number);
const REPS = Number(arg('reps', '3'));
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6399';
const PG_URL = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const DB_ARG = arg('db', PG_URL ? 'both' : 'pglite');
const ENGINES: EngineName[] = DB_ARG === 'both' ? ['pglite', 'postgres'] : [DB_ARG as EngineName];
if (!ENGINES.every((e) => e === 'pglite' || e === 'postgres')) throw new Error(`--db ${DB_ARG}: pglite, postgres or both`);

const SELFIE = Buffer.from('selfie pixels').toString('base64');
const NIK = ACCUAUTH_SANDBOX.results['01'] as string; // a charged match

const out = (s: string) => process.stdout.write(`${s}\n`);

/** A target as measured: where to send, and for F and G what to count and which invariant to check. */
interface BenchTarget extends Target {
  id: TargetId;
  counts?: () => { db: DbCounts; redis: RedisCounts };
  /** [booked by the target, billed by the simulator] so far; equal increments per run are required. */
  invariant?: { label: string; read: () => Promise<[number, number]> };
}

/** Commands the Redis server has processed (INFO stats), for a cross-check of the client-side count. */
const serverCommands = async (admin: Redis) => Number(/total_commands_processed:(\d+)/.exec(await admin.info('stats'))?.[1] ?? 0);

async function measure(load: LoadClient, admin: Redis, t: BenchTarget, c: number): Promise<{ sample: Sample; ok: boolean; note: string }> {
  const inv0 = await t.invariant?.read();
  const server0 = t.counts ? await serverCommands(admin) : 0;
  const counts0 = t.counts?.();
  const mark = cpuMark();
  const result = await load.run(t, c, SECONDS);
  const cpu = cpuSince(mark);
  const counts1 = t.counts?.();
  // The INFO that read server0 is counted in the next reading: take it off.
  const serverRedisCommands = t.counts ? (await serverCommands(admin)) - server0 - 1 : undefined;
  const sample: Sample = { ...result, cpu, serverRedisCommands };
  if (counts0 && counts1) {
    sample.db = delta(counts1.db, counts0.db);
    sample.redis = delta(counts1.redis, counts0.redis);
  }
  let ok = true;
  let note = '';
  if (t.invariant && inv0) {
    const [booked, billed] = (await t.invariant.read()).map((v, i) => v - (inv0[i] as number)) as [number, number];
    ok = booked === billed;
    note = ` (${t.invariant.label}: ${booked} = ${billed} ${ok ? 'OK' : 'MISMATCH'})`;
  }
  return { sample, ok, note };
}

async function benchOneEngine(
  name: EngineName,
  sim: SimulatorProcess,
  load: LoadClient,
  admin: Redis,
  b1Url: string,
): Promise<{ rows: SummaryRow[]; ok: boolean }> {
  const engine = await benchEngine(name, PG_URL);
  const closers: Array<() => unknown> = [() => engine.close()];
  // Newest first; every closer runs (the schema is dropped even if a pool fails to close), the first error is thrown.
  const closeAll = async () => {
    let first: unknown;
    for (const close of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== undefined) throw first;
  };
  try {
    // G and F each get their own handles on the same engine, wrapped to count round trips.
    const rawG = await engine.open();
    closers.push(() => rawG.close());
    await migrate(rawG);
    const version = (await rawG.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v;
    out(`\n## ${name}: ${engine.where}, Postgres ${version ?? '?'}`);
    const g = countingDb(rawG);
    const gRedis = producerConnection(REDIS_URL);
    closers.push(() => gRedis.disconnect());
    await whenReady(gRedis);
    const gRedisCounts = countRedis(gRedis);
    const gateway = await startGatewayApp(g.db, gRedis, REDIS_URL, sim.url);
    closers.push(() => gateway.close());

    const rawF = await engine.open();
    closers.push(() => rawF.close());
    const fDb = countingDb(rawF);
    const fRedis = producerConnection(REDIS_URL);
    closers.push(() => fRedis.disconnect());
    await whenReady(fRedis);
    const fRedisCounts = countRedis(fRedis);
    const creds = ACCUAUTH_SANDBOX.credentials;
    const simHeaders = { 'content-type': 'application/json', 'x-df-api-id': creds.apiId, 'x-df-api-secret': creds.apiSecret };
    const floor = await startFloorApp({
      db: fDb.db,
      redis: fRedis,
      upstream: `${sim.url}/verify/id_selfie`,
      upstreamHeaders: simHeaders,
      apiKey: gateway.key,
      keyPrefix: `bench:floor:${name}:${process.pid}`,
    });
    closers.push(() => floor.close());

    const simBody = JSON.stringify({ id_number: NIK, face_image: SELFIE });
    const apiHeaders = { 'content-type': 'application/json', authorization: `Bearer ${gateway.key}` };
    const apiBody = JSON.stringify({
      customerId: gateway.customerId,
      check: 'identity_selfie',
      input: { idNumber: NIK, faceImage: SELFIE },
    });
    const targets: BenchTarget[] = [
      { id: 'B0', name: 'B0', url: `${sim.url}/verify/id_selfie`, headers: simHeaders, body: simBody },
      { id: 'B1', name: 'B1', url: `${b1Url}/verify/id_selfie`, headers: simHeaders, body: simBody },
      {
        id: 'F',
        name: 'F',
        url: floor.url,
        headers: apiHeaders,
        body: apiBody,
        counts: () => ({ db: fDb.counts(), redis: fRedisCounts() }),
        invariant: { label: 'floor rows = simulator calls', read: async () => [await floor.rows(), (await sim.billing()).totalCalls] },
      },
      {
        id: 'G',
        name: 'G',
        url: gateway.url,
        headers: apiHeaders,
        body: apiBody,
        counts: () => ({ db: g.counts(), redis: gRedisCounts() }),
        invariant: {
          label: 'charged ledger rows = simulator charged',
          read: async () => [await gateway.chargedRows(), (await sim.billing()).totalCharged],
        },
      },
    ];
    if (WARMUP > 0) for (const t of targets) await load.run(t, 8, WARMUP);

    const rows: SummaryRow[] = [];
    let ok = true;
    for (const c of CONCURRENCIES) {
      const runs = { B0: [], B1: [], F: [], G: [] } as Record<TargetId, Sample[]>;
      for (let rep = 1; rep <= REPS; rep++) {
        const parts: string[] = [];
        for (const t of targets) {
          const m = await measure(load, admin, t, c);
          runs[t.id].push(m.sample);
          ok &&= m.ok && m.sample.errors === 0;
          parts.push(`${t.id} ${m.sample.rps.toFixed(0)} req/s${m.sample.errors ? ` (${m.sample.errors} non-200)` : ''}${m.note}`);
        }
        out(`${name} c=${c} run ${rep}/${REPS}: ${parts.join(' · ')}`);
      }
      for (const line of cellReport(name, c, runs, REPS)) out(line);
      rows.push({ engine: name, c, runs });
    }
    return { rows, ok };
  } finally {
    await closeAll();
  }
}

async function main() {
  const sim = await startSimulator();
  const load = await startLoadClient();
  const proxy = await startBareProxy(sim.url);
  const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const redisVersion = /redis_version:(\S+)/.exec(await admin.info('server'))?.[1];
    out(`machine: nproc=${os.cpus().length} node=${process.version} cpu=${os.cpus()[0]?.model ?? 'unknown'} redis=${redisVersion ?? '?'}`);
    out(
      `settings: ${SECONDS}s per run, ${REPS} runs per target and concurrency, ${WARMUP}s warm-up per target, concurrency ${CONCURRENCIES.join(',')}, engines ${ENGINES.join(',')}`,
    );
    out(
      'CPU per verification = process.cpuUsage() of this process (all its threads) over a run / answers, and the main thread alone ' +
        '(/proc schedstat); it means something only because the load generator and the simulator run in child processes, not here.',
    );
    const rows: SummaryRow[] = [];
    let ok = true;
    for (const name of ENGINES) {
      const r = await benchOneEngine(name, sim, load, admin, `http://127.0.0.1:${(proxy.address() as { port: number }).port}`);
      rows.push(...r.rows);
      ok &&= r.ok;
    }
    for (const line of summary(rows)) out(line);
    out(
      `\ninvariants: ${ok ? 'after every G run charged ledger rows equalled the simulator charged calls, after every F run its rows the calls, no non-200' : 'FAILED (see the runs above)'}`,
    );
    process.exitCode = ok ? 0 : 1;
  } finally {
    admin.disconnect();
    proxy.closeAllConnections();
    await new Promise((r) => proxy.close(r));
    await load.close();
    await sim.close();
  }
}

void main();
