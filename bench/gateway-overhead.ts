/**
 * Gateway overhead (reliability-and-performance.md B2-B3): sync identity_selfie through the gateway to
 * AccuAuth's simulator, against the simulator alone (B0) and a bare node:http pass-through proxy (B1),
 * all measured in this one run, at several concurrencies. After each gateway run, charged ledger rows
 * must equal what the simulator billed in that run.
 *
 *   npx tsx bench/gateway-overhead.ts [--seconds 10] [--warmup 3] [--concurrency 1,8,32,64]
 *
 * Needs Redis (REDIS_URL, default redis://127.0.0.1:6399). The database is PGlite in memory.
 */
import { randomBytes } from 'node:crypto';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { ACCUAUTH_SANDBOX, startAccuauthSimulator } from '../adapters/accuauth/simulator';
import { loadConfig } from '../src/config';
import { insertCustomer } from '../src/customers/customers-repo';
import { loadErrorMap } from '../src/gateway/error-map';
import { createGateway } from '../src/gateway/gateway';
import { loadProvidersConfig, type HttpReach } from '../src/gateway/providers';
import { createApp } from '../src/http/app';
import type { AppDeps } from '../src/deps';
import { producerConnection, whenReady } from '../src/jobs/redis';
import { createLogger } from '../src/logger';
import { createEngine } from '../src/engine/engine';
import { openDb } from '../src/store/db';
import { migrate } from '../src/store/migrate';
import { KeyMaterial } from '../src/tenancy/key-material';
import { issueKey } from '../src/tenancy/keys-repo';
import { createOrg } from '../src/tenancy/orgs-repo';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
/** Measured seconds per (target, concurrency). */
const SECONDS = Number(arg('seconds', '10'));
/** Discarded warm-up seconds per target. */
const WARMUP = Number(arg('warmup', '3'));
const CONCURRENCIES = arg('concurrency', '1,8,32,64').split(',').map(Number);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6399';

const SELFIE = Buffer.from('selfie pixels').toString('base64');
const NIK = ACCUAUTH_SANDBOX.results['01'] as string; // a charged match

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

interface RunResult {
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
}

/**
 * The load generator runs in a worker thread: its own event loop, so its work does not queue behind
 * the servers' on the main thread (they still share the machine's cores). Closed loop, keep-alive, no
 * pipelining: `concurrency` clients each send the next request when the previous answer arrived.
 */
const LOADGEN = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { url, headers, body, concurrency, seconds } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const u = new URL(url);
const latencies = [];
let errors = 0;
const deadline = performance.now() + seconds * 1000;
function once() {
  return new Promise((resolve) => {
    const start = performance.now();
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent,
      headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => { if (res.statusCode !== 200) errors++; latencies.push(performance.now() - start); resolve(); });
    });
    req.on('error', () => { errors++; resolve(); });
    req.end(body);
  });
}
async function client() { while (performance.now() < deadline) await once(); }
const began = performance.now();
Promise.all(Array.from({ length: concurrency }, client)).then(() => {
  const elapsed = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] || 0;
  agent.destroy();
  parentPort.postMessage({ requests: latencies.length, errors, rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99) });
});
`;

function load(target: Target, concurrency: number, seconds: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOADGEN, { eval: true, workerData: { ...target, concurrency, seconds } });
    worker.once('message', (m: RunResult) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/** B1: forwards method, path, headers and body to the upstream over a keep-alive agent, nothing else. */
function startProxy(upstream: string): Promise<Server> {
  const u = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const server = http.createServer((req, res) => {
    const out = http.request({ host: u.hostname, port: u.port, path: req.url, method: req.method, headers: req.headers, agent }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => {
      res.writeHead(502).end();
    });
    req.pipe(out);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function startGateway(simUrl: string) {
  // DATABASE_URL runs the gateway on server Postgres (a fresh database is best); else PGlite in memory.
  const db = await openDb(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : { pgliteDir: 'memory://' });
  await migrate(db);
  const redis = producerConnection(REDIS_URL);
  await whenReady(redis);
  const config = loadConfig({ NODE_ENV: 'test', REDIS_URL, VERIGATE_MASTER_KEY: 'ab'.repeat(32) });
  const logger = createLogger('silent');
  const base = loadProvidersConfig();
  const accuauth = base.accuauth as HttpReach;
  const run = randomBytes(4).toString('hex');
  const deps: AppDeps = {
    config,
    db,
    redis,
    logger,
    keys: new KeyMaterial(config.masterKey),
    errorMap: loadErrorMap(),
    providers: { ...base, accuauth: { ...accuauth, sandbox: { ...accuauth.sandbox, port: Number(new URL(simUrl).port) } } },
    gateway: createGateway(redis, logger, { cooldownPrefix: `bench:cooldown:${run}`, statePrefix: `bench:gw:${run}` }),
    engine: createEngine(redis),
    now: () => new Date(),
  };
  const org = await createOrg(db, { name: 'bench' });
  const key = await issueKey(db, deps.keys, { orgId: org.id, name: 'bench', mode: 'test', scopes: ['verifications:write'] });
  const customer = await insertCustomer(db, org.id, 'bench-customer');
  const server: Server = await new Promise((resolve) => {
    const s = createApp(deps).listen(0, '127.0.0.1', () => resolve(s));
  });
  const chargedRows = async () =>
    Number((await db.query<{ n: number }>("SELECT count(*) AS n FROM ledger_entries WHERE charged = 'charged'")).rows[0]?.n ?? 0);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/verifications`,
    key: key.key,
    customerId: customer?.id as string,
    chargedRows,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      deps.gateway.breakers.shutdown();
      redis.disconnect();
      await db.close();
    },
  };
}

const port = (s: Server) => (s.address() as AddressInfo).port;
const fmt = (n: number, d = 1) => n.toFixed(d);

async function main() {
  const sim = await startAccuauthSimulator(0);
  const proxy = await startProxy(sim.url);
  const gateway = await startGateway(sim.url);
  const creds = ACCUAUTH_SANDBOX.credentials;
  const simHeaders = { 'content-type': 'application/json', 'x-df-api-id': creds.apiId, 'x-df-api-secret': creds.apiSecret };
  const simBody = JSON.stringify({ id_number: NIK, face_image: SELFIE });
  const targets: Target[] = [
    { name: 'simulator (B0)', url: `${sim.url}/verify/id_selfie`, headers: simHeaders, body: simBody },
    { name: 'bare proxy (B1)', url: `http://127.0.0.1:${port(proxy)}/verify/id_selfie`, headers: simHeaders, body: simBody },
    {
      name: 'gateway (G)',
      url: gateway.url,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.key}` },
      body: JSON.stringify({ customerId: gateway.customerId, check: 'identity_selfie', input: { idNumber: NIK, faceImage: SELFIE } }),
    },
  ];

  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`machine: nproc=${os.cpus().length} node=${process.version} cpu=${os.cpus()[0]?.model ?? 'unknown'}`);
  out(`settings: ${SECONDS}s per run, ${WARMUP}s warm-up per target, concurrency ${CONCURRENCIES.join(',')}`);
  for (const t of targets) await load(t, 8, WARMUP);

  const rows: string[] = [];
  let ledgerOk = true;
  for (const c of CONCURRENCIES) {
    const result: Record<string, RunResult> = {};
    // Interleaved per concurrency (B0, B1, G), so drift hits all three alike.
    for (const t of targets) {
      const billedBefore = sim.state.billing().totalCharged;
      const rowsBefore = await gateway.chargedRows();
      result[t.name] = await load(t, c, SECONDS);
      if (t.name.startsWith('gateway')) {
        const billed = sim.state.billing().totalCharged - billedBefore;
        const booked = (await gateway.chargedRows()) - rowsBefore;
        const ok = billed === booked;
        ledgerOk &&= ok;
        out(`c=${c} ledger check: simulator billed ${billed}, charged ledger rows ${booked} -> ${ok ? 'OK' : 'MISMATCH'}`);
      }
    }
    const [b0, b1, g] = targets.map((t) => result[t.name] as RunResult) as [RunResult, RunResult, RunResult];
    rows.push(
      `| ${c} | ${fmt(b0.rps, 0)} | ${fmt(b1.rps, 0)} | ${fmt(g.rps, 0)} | ${fmt(g.rps / b1.rps, 2)} | ` +
        `${fmt(b0.p50, 2)} / ${fmt(b0.p99, 2)} | ${fmt(b1.p50, 2)} / ${fmt(b1.p99, 2)} | ${fmt(g.p50, 2)} / ${fmt(g.p99, 2)} | ` +
        `${fmt(g.p50 - b0.p50, 2)} / ${fmt(g.p99 - b0.p99, 2)} | ${b0.errors + b1.errors + g.errors} |`,
    );
  }
  out('');
  out('| c | B0 req/s | B1 req/s | G req/s | G/B1 | B0 p50/p99 ms | B1 p50/p99 ms | G p50/p99 ms | G-B0 added p50/p99 ms | non-200 |');
  out('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) out(r);
  out(`\nledger: ${ledgerOk ? 'charged rows equal the simulator billing counter after every gateway run' : 'MISMATCH (see above)'}`);

  await gateway.close();
  await new Promise((r) => proxy.close(r));
  await sim.close();
  process.exitCode = ledgerOk ? 0 : 1;
}

void main();
