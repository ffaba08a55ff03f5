/**
 * Chaos harness: verigate as separate processes on server Postgres (API, worker, vendor simulators, a
 * Redis of its own with an append-only file), N identity_selfie verifications from concurrent clients that
 * retry with their Idempotency-Key, and meanwhile vendor faults, Redis restarts and kill -9 of the API and
 * the worker at points drawn from the seed. Then it prints the invariant table (invariants.ts) and exits 1
 * when one is broken.
 *
 *   DATABASE_URL=postgres://... node --import tsx bench/chaos/run.ts [flags]     (or npx tsx bench/chaos/run.ts)
 *   npm run chaos:short                                                          (the CI preset, --short)
 *
 * Flags (defaults in brackets):
 *   --verifications N       client requests, each its own NIK and Idempotency-Key [200]
 *   --seed S                draws the NIK scenarios and the chaos plan [1]
 *   --concurrency C         clients, each sending its verifications one after another [16]
 *   --rate R                new verifications per second overall, 0 = as fast as the clients go [0]
 *   --mix 01:81,02:8,...    NIK scenario weights (load.ts SCENARIOS) [01:81,02:8,03:2,05:5,06:1,08:3]
 *   --api-kills K           kill -9 of the API, restarted after 0.5-3 s [ceil(N/200), 1..10]
 *   --worker-kills K        kill -9 of the worker, restarted after 0.5-3 s [ceil(N/200), 1..10]
 *   --redis-restarts K      kill -9 of Redis, started again after 1-12 s on the same port and AOF [ceil(N/200), 1..10]
 *   --vendor-faults K       AccuAuth simulator faults for 2-10 s: latency (some past the adapter's
 *                           timeout), error rate, hang after receive, 5xx, malformed body [ceil(N/100), 1..25]
 *   --vendor-latency-ms MS  the AccuAuth simulator's latency outside fault windows, so that requests spend
 *                           most of their time in the vendor call, as with a real registry [200]
 *   --deadline-seconds S    a client stops retrying a verification S s after its first try [180]
 *   --request-timeout-seconds S   one HTTP try is abandoned after S s [30]
 *   --vendor-error-tries K  a client gives up on the vendor after K fresh vendor 5xx (provider_error)
 *   --vendor-error-window-seconds S   spanning at least S seconds [6, the breaker's resetTimeoutMs + 10 s
 *                           (config/breakers.json), so a client outlasts an open breaker]
 *   --replay-tries K        a client gives up on a replayed 5xx (a stored answer) after K replays spanning
 *   --replay-window-seconds S   at least S seconds (longer than a Redis outage, so replays after it are seen) [3, 20]
 *   --customers K           customers the verifications are spread over [20]
 *   --settle-seconds S      wait after the load before reading the books [verifications.leaseSeconds of
 *                           config/gateway.json + 3 when set, so every abandoned run's lease has run out; else 5]
 *   --sweep-job NAME[,..]   after settling, run these maintenance jobs now (instead of waiting for their
 *                           schedule) and wait for them; "" for none [settle-abandoned-verifications when
 *                           config/gateway.json has a `verifications` section, else none]
 *   --report FILE           also write the Markdown report there; --json FILE the raw report
 *   --keep                  keep the schema and the run folder (logs, AOF); the folder is kept anyway when
 *                           an invariant broke or the run failed
 *   --no-fail               exit 0 even when an invariant is broken
 *   --short                 the CI preset: 60 verifications at 4/s, 1 API kill, 1 worker kill, 1 Redis
 *                           restart, 1 vendor fault, seed 7 (flags given as well override it)
 *
 * Needs DATABASE_URL (server Postgres; the run gets a fresh schema `chaos_<random>`, dropped at the end
 * unless kept) and redis-server on PATH. The simulators listen on their fixed sandbox ports (7101-7103,
 * config/providers.json) but on a random loopback address 127.x.y.z of this run, passed to the API as
 * VERIGATE_SIMULATORS_HOST, so they do not collide with another verigate on 127.0.0.1. CHAOS_VERBOSE=1
 * prints chaos events as they happen.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadProvidersConfig } from '../../src/gateway/providers';
import { Chaos, faultsOff, planChaos, setVendorFaults } from './chaos';
import { computeReport, readStore, readVendorBook } from './invariants';
import { Load, makeJobs } from './load';
import { Maintenance } from './maintenance';
import { describeOffenders } from './offenders';
import { options } from './options';
import { freePort, httpOk, redisSpec, simulatorsHost, sleep, Supervised, verigateSpec, waitUntil, type VerigateEnv } from './processes';
import { renderReport } from './report';
import { Rng } from './rng';
import { createRunDatabase, createTenant, dropRunDatabase } from './setup';
import { Timeline } from './timeline';

/** Fixed, so API keys issued by the harness verify in every process and across restarts. Not a secret. */
const MASTER_KEY = 'c4a05c4a05c4a05c4a05c4a05c4a05c4a05c4a05c4a05c4a05c4a05c4a05c4a0';

function describeMachine(): string {
  let commit = 'unknown';
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'adapters', 'config'], { encoding: 'utf8' }).trim() !== '';
    commit = `${head}${dirty ? ' + uncommitted changes in src/adapters/config' : ''}`;
  } catch {
    // not a git checkout
  }
  return `commit ${commit}, ${os.cpus().length} CPUs, node ${process.version}`;
}

async function main(): Promise<number> {
  const o = options();
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) throw new Error('DATABASE_URL is required: a server Postgres where the run may create a schema');
  const began = Date.now();
  const runId = randomBytes(4).toString('hex');
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'verigate-chaos-'));
  const timeline = new Timeline();
  const abort = new AbortController();
  const supervised: Supervised[] = [];
  let schema: string | undefined;
  let closeMaintenance: (() => Promise<void>) | undefined;
  // The schema is dropped unless --keep; the run folder (logs, AOF) is also kept when something broke.
  let keepFiles = o.keep;

  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      abort.abort();
      // The API, worker and simulators first (they use Redis and Postgres), Redis last.
      await Promise.all(supervised.filter((s) => s.spec.name !== 'redis').map((s) => s.stop()));
      await closeMaintenance?.();
      await Promise.all(supervised.filter((s) => s.spec.name === 'redis').map((s) => s.stop(5000)));
      if (schema && !o.keep) await dropRunDatabase(baseUrl, schema).catch((err) => process.stderr.write(`drop schema ${schema}: ${err}\n`));
      if (!keepFiles) rmSync(runDir, { recursive: true, force: true });
      else process.stderr.write(`kept: run folder ${runDir}${schema && o.keep ? `, schema ${schema}` : ''}\n`);
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping every process of the run\n`);
      keepFiles = true;
      void cleanup().finally(() => process.exit(130));
    });
  }
  process.once('exit', () => supervised.forEach((s) => s.killNow()));

  try {
    const db = await createRunDatabase(baseUrl);
    schema = db.schema;
    const tenant = await createTenant(db.url, MASTER_KEY, o.customers);

    const redisPort = await freePort();
    const redisDir = path.join(runDir, 'redis');
    mkdirSync(redisDir);
    const redis = new Supervised(redisSpec(redisPort, redisDir, path.join(runDir, 'redis.log')), timeline);
    supervised.push(redis);
    await redis.start();

    const providers = loadProvidersConfig();
    const simPorts = Object.values(providers).flatMap((r) => (r.transport === 'http' ? [r.sandbox.port] : []));
    const accuauth = providers.accuauth;
    if (accuauth?.transport !== 'http') throw new Error('accuauth is not reached over HTTP');
    const simHost = await simulatorsHost(simPorts);
    const vendorUrl = `http://${simHost}:${accuauth.sandbox.port}`;

    const env: VerigateEnv = {
      databaseUrl: db.url,
      redisUrl: `redis://127.0.0.1:${redisPort}`,
      masterKey: MASTER_KEY,
      dataDir: path.join(runDir, 'data'),
      simulatorsHost: simHost,
    };
    const alive = (ok: () => boolean) => () => (ok() ? undefined : 'exited');
    const simulators = new Supervised(
      verigateSpec('simulators', env, path.join(runDir, 'simulators.log'), {
        host: simHost,
        ready: (ok) =>
          waitUntil(
            'simulators',
            async () => (await Promise.all(simPorts.map((p) => httpOk(`http://${simHost}:${p}/__sim/billing`)))).every(Boolean),
            90_000,
            alive(ok),
          ),
      }),
      timeline,
    );
    supervised.push(simulators);
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const api = new Supervised(
      verigateSpec('api', env, path.join(runDir, 'api.log'), {
        port: apiPort,
        host: '127.0.0.1',
        ready: (ok) => waitUntil('api', () => httpOk(`${apiUrl}/healthz`), 90_000, alive(ok)),
      }),
      timeline,
    );
    supervised.push(api);
    const maintenance = new Maintenance(env.redisUrl);
    closeMaintenance = () => maintenance.close();
    const worker = new Supervised(
      verigateSpec('worker', env, path.join(runDir, 'worker.log'), {
        host: '127.0.0.1',
        // The worker serves nothing to poll: it is up once its BullMQ worker is connected to Redis.
        ready: (ok) => waitUntil('worker', async () => (await maintenance.workers()) > 0, 90_000, alive(ok)),
      }),
      timeline,
    );
    supervised.push(worker);
    await Promise.all([simulators.start(), api.start(), worker.start()]);
    await setVendorFaults(vendorUrl, faultsOff(o.vendorLatencyMs));
    timeline.log(`ready: api ${apiUrl}, simulators on ${simHost}, redis :${redisPort}, schema ${db.schema}, run folder ${runDir}`);

    const jobs = makeJobs(new Rng(o.seed), runId, o.verifications, o.mix, tenant.customerIds);
    const plan = planChaos(new Rng(o.seed ^ 0x5bd1e995), o.counts, accuauth.timeoutMs);
    const load = new Load(
      apiUrl,
      tenant.key,
      jobs,
      {
        verifications: o.verifications,
        concurrency: o.concurrency,
        rate: o.rate,
        deadlineMs: o.deadlineMs,
        requestTimeoutMs: o.requestTimeoutMs,
        vendorErrorTries: o.vendorErrorTries,
        vendorErrorWindowMs: o.vendorErrorWindowMs,
        replayTries: o.replayTries,
        replayWindowMs: o.replayWindowMs,
        mix: o.mix,
      },
      timeline,
      abort.signal,
    );
    const chaos = new Chaos(plan, { api, worker, redis, vendorUrl }, load, o.verifications, timeline, abort.signal, o.vendorLatencyMs);
    const progress = setInterval(() => {
      process.stderr.write(
        `[${(timeline.now() / 1000).toFixed(0)} s] started ${load.started}/${o.verifications}, finished ${load.finished}, in flight ${load.inFlight}\n`,
      );
    }, 10_000);
    const loadStart = timeline.now();
    let loadDone = false;
    const loading = load.run().finally(() => (loadDone = true));
    const chaosing = chaos.run(() => loadDone);
    const results = await loading;
    const loadSeconds = (timeline.now() - loadStart) / 1000;
    timeline.log(`load done: ${o.verifications} verifications in ${loadSeconds.toFixed(1)} s`);
    await chaosing;
    clearInterval(progress);

    // Quiet again: no fault on, every process up, then time for the system to settle.
    await setVendorFaults(vendorUrl, faultsOff(o.vendorLatencyMs)).catch(() => undefined);
    for (const s of [redis, simulators, api, worker]) if (!s.alive) await s.startRetrying(60_000);
    await sleep(o.settleMs);
    for (const r of await maintenance.run(o.sweepJobs)) timeline.log(`maintenance job ${r.name}: ${r.state} ${r.result}`);

    const store = await readStore(db.url, tenant.orgId);
    const vendor = await readVendorBook(vendorUrl);
    const report = computeReport(
      results,
      store,
      vendor,
      timeline,
      supervised.map((s) => ({ name: s.spec.name, unexpectedExits: s.unexpectedExits, startFailures: s.startFailures })),
    );
    const firstOffenders = [...new Set(Object.values(report.offenders).flatMap((keys) => keys.slice(0, 5)))];
    const stories = await describeOffenders(db.url, tenant.orgId, firstOffenders, results, vendor.refs, timeline.started);
    const argv = process.argv.slice(2).join(' ');
    const header = [
      `## Chaos run: \`${argv || '(defaults)'}\``,
      '',
      `${new Date().toISOString()}; ${describeMachine()}; server Postgres (schema ${db.schema}).`,
      `${o.verifications} verifications, seed ${o.seed}, ${o.concurrency} clients, rate ${o.rate || 'unlimited'}/s, ` +
        `vendor latency ${o.vendorLatencyMs} ms; chaos planned: API kills ${o.counts.api_kill}, worker kills ` +
        `${o.counts.worker_kill}, Redis restarts ${o.counts.redis_restart}, vendor faults ${o.counts.vendor_fault} ` +
        `(${chaos.fired} fired, ${chaos.skipped} skipped). ` +
        `Load ${loadSeconds.toFixed(1)} s, then ${o.settleMs / 1000} s to settle` +
        `${o.sweepJobs.length ? ` and ${o.sweepJobs.join(', ')} run once` : ''}; whole run ${((Date.now() - began) / 1000).toFixed(1)} s.`,
    ].join('\n');
    const markdown = renderReport(report, timeline.events, plan, header, stories);
    process.stdout.write(`${markdown}\n`);
    if (o.report) writeFileSync(o.report, `${markdown}\n`);
    if (o.json) writeFileSync(o.json, JSON.stringify({ options: o, report, events: timeline.events, plan, clients: results }));
    if (report.broken.length > 0 || supervised.some((s) => s.unexpectedExits > 0)) keepFiles = true;
    process.stdout.write(
      report.broken.length === 0
        ? '\nEvery invariant holds.\n'
        : `\n${report.broken.length} invariant(s) broken:\n${report.broken.map((b) => `  - ${b}`).join('\n')}\n`,
    );
    return report.broken.length > 0 && !o.noFail ? 1 : 0;
  } catch (err) {
    keepFiles = true;
    throw err;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`chaos: ${(err as Error).stack}\n`);
    process.exit(2);
  },
);
