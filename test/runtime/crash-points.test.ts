import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http, { type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { ACCUAUTH_SANDBOX, startAccuauthSimulator } from '../../adapters/accuauth/simulator';
import type { RunningSimulator, SimulatorState } from '../../adapters/simulator-kit';
import { REDIS_URL, TEST_MASTER_KEY } from '../helpers/test-app';

/**
 * The API is a real process, killed with SIGKILL at each point of a paid call: before the request leaves,
 * while the vendor works on it, after the vendor answered but before the answer is committed, and after
 * the commit. Every time the books must hold: what the vendor billed equals the ledger's charged rows plus
 * the unknown rows of calls it billed, never two charged attempts, the vendor never called twice for one
 * verification, and (after the retry or the sweep) nothing left `processing`.
 *
 * AccuAuth's simulator sits behind a proxy the test steers: it can hold a request without passing it on,
 * or hold the vendor's answer back while the test does something. On server Postgres (TEST_DATABASE_URL)
 * "after the answer" holds the verification row locked, so the API's last write is waiting on it when the
 * API is killed; on PGlite the kill follows the answer at once.
 */
// Each case starts the API twice (a child process compiling TypeScript, on PGlite re-opening its folder).
jest.setTimeout(90_000);

const ROOT = path.join(__dirname, '..', '..');
const NIK = ACCUAUTH_SANDBOX.results['01']!; // a charged match

interface Gate {
  url: string;
  /** `hold`: requests are kept and never passed on; `pass`: passed on, answers relayed after `beforeAnswer`. */
  mode: 'hold' | 'pass';
  arrived: Promise<void>;
  beforeAnswer?: () => Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

function startGate(target: string): Promise<Gate> {
  let arrive = () => {};
  const held: IncomingMessage[] = [];
  const gate: Gate = {
    url: '',
    mode: 'pass',
    arrived: Promise.resolve(),
    reset() {
      gate.mode = 'pass';
      gate.beforeAnswer = undefined;
      gate.arrived = new Promise((resolve) => (arrive = resolve));
    },
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
  const server: Server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      arrive();
      if (gate.mode === 'hold') return void held.push(req);
      const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        const body: Buffer[] = [];
        answer.on('data', (c: Buffer) => body.push(c));
        answer.on('end', async () => {
          await gate.beforeAnswer?.();
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(Buffer.concat(body));
        });
      });
      upstream.on('error', () => res.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  });
  gate.reset();
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      gate.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve(gate);
    }),
  );
}

interface Api {
  child: ChildProcess;
  url: string;
  key: string;
  customerId: string;
}

interface Store {
  env: Record<string, string>;
  /** Server Postgres only: a client on the API's schema, to lock rows. */
  client?: Client;
  close(): Promise<void>;
}

async function openStore(): Promise<Store> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const dir = mkdtempSync(path.join(tmpdir(), 'verigate-crash-'));
    return { env: { VERIGATE_DATA_DIR: dir }, close: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `crash_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  const client = new Client({ connectionString: scoped.toString() });
  await client.connect();
  return {
    env: { DATABASE_URL: scoped.toString(), VERIGATE_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'verigate-crash-')) },
    client,
    async close() {
      await client.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
      await client.end();
    },
  };
}

function startApi(store: Store, vendorUrl: string, tenant?: { key: string; customerId: string }): Promise<Api> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/crash-server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...store.env,
      NODE_OPTIONS: '',
      PORT: '0',
      HOST: '127.0.0.1',
      REDIS_URL,
      VERIGATE_MASTER_KEY: TEST_MASTER_KEY,
      VENDOR_PORT: new URL(vendorUrl).port,
      ...(tenant && { FIXTURE_KEY: tenant.key, FIXTURE_CUSTOMER: tenant.customerId }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`API exited early with ${code}`)));
    lines.once('line', (line) => resolve({ child, ...JSON.parse(line) }));
  });
}

function kill(api: Api): Promise<void> {
  return new Promise((resolve) => {
    api.child.removeAllListeners('exit');
    api.child.once('exit', () => resolve());
    api.child.kill('SIGKILL');
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function verify(api: Api, idempotencyKey?: string) {
  return fetch(`${api.url}/v1/verifications`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${api.key}`,
      'content-type': 'application/json',
      ...(idempotencyKey && { 'idempotency-key': idempotencyKey }),
    },
    body: JSON.stringify({ customerId: api.customerId, check: 'identity_selfie', input: { idNumber: NIK, faceImage: 'c2VsZmll' } }),
  });
}

/** Retries as an integrator would: while the key is still held by the dead run (409), wait and try again. */
async function retry(api: Api, idempotencyKey: string): Promise<Response> {
  for (let i = 0; i < 40; i++) {
    const res = await verify(api, idempotencyKey);
    if (res.status !== 409) return res;
    await sleep(250);
  }
  throw new Error('the key stayed in use');
}

async function get(api: Api, route: string): Promise<Record<string, any>> {
  const res = await fetch(`${api.url}${route}`, { headers: { authorization: `Bearer ${api.key}` } });
  return (await res.json()) as Record<string, any>;
}

/** Waits for the sweep (every second, lease 3 s in the fixture) to leave nothing `processing`. */
async function settled(api: Api): Promise<Record<string, any>[]> {
  for (let i = 0; i < 40; i++) {
    const processing = await get(api, `/v1/verifications?customerId=${api.customerId}&status=processing`);
    if (processing.data.length === 0) break;
    await sleep(250);
  }
  return (await get(api, `/v1/verifications?customerId=${api.customerId}`)).data;
}

/** The books after a crash: the vendor's own counter against the ledger. */
async function books(api: Api, sim: SimulatorState) {
  const entries = (await get(api, '/v1/usage/entries?limit=100')).data as { charged: string; verificationId: string }[];
  const billed = sim.billing().totalCharged;
  const charged = entries.filter((e) => e.charged === 'charged').length;
  const unknown = entries.filter((e) => e.charged === 'unknown').length;
  return { billed, charged, unknown, calls: sim.billing().totalCalls };
}

describe('a paid call survives SIGKILL at every point', () => {
  let simulator: RunningSimulator & { state: SimulatorState };
  let gate: Gate;
  let store: Store;
  let api: Api | undefined;

  beforeAll(async () => {
    simulator = await startAccuauthSimulator(0);
    gate = await startGate(simulator.url);
  });
  afterAll(async () => {
    await gate?.close();
    await simulator?.close();
  });
  beforeEach(async () => {
    simulator.state.reset();
    gate.reset();
    store = await openStore();
    api = await startApi(store, gate.url);
  });
  afterEach(async () => {
    if (api) await kill(api);
    api = undefined;
    await store?.close();
  });

  async function restart(): Promise<Api> {
    const tenant = { key: api!.key, customerId: api!.customerId };
    api = await startApi(store, gate.url, tenant);
    return api;
  }

  it('when the API dies after writing the call ahead but before the request left, then the vendor billed nothing and the retry books it unknown, calling nobody', async () => {
    gate.mode = 'hold';
    void verify(api!, 'before-send').catch(() => undefined);
    await gate.arrived; // the call was written ahead: the request only leaves after the first commit
    await kill(api!);
    gate.reset();
    const again = await restart();
    const res = await retry(again, 'before-send');
    expect(res.status).toBe(504);
    expect((await res.json()).error).toMatchObject({ code: 'provider_timeout', charged: 'unknown' });
    const verifications = await settled(again);
    expect(verifications.map((v) => v.status)).toEqual(['error']);
    expect(await books(again, simulator.state)).toEqual({ billed: 0, charged: 0, unknown: 1, calls: 0 });
  });

  it('when the API dies while the vendor works on the call, then the vendor bills it once and the ledger holds it as unknown, never called again', async () => {
    simulator.state.setFaults({ latencyMs: 800 });
    void verify(api!, 'in-flight').catch(() => undefined);
    await gate.arrived;
    await kill(api!);
    await sleep(1200); // the vendor answers the dead socket, and bills
    const again = await restart();
    const res = await retry(again, 'in-flight');
    expect((await res.json()).error).toMatchObject({ code: 'provider_timeout', charged: 'unknown' });
    await settled(again);
    expect(await books(again, simulator.state)).toEqual({ billed: 1, charged: 0, unknown: 1, calls: 1 });
  });

  it('when the API dies after the vendor answered but before the answer was committed, then one call, billed once, booked once', async () => {
    const client = store.client;
    let killed!: Promise<void>;
    const answered = new Promise<void>((resolve) => {
      gate.beforeAnswer = async () => {
        if (client) {
          // Holds the verification row, so the API's last write waits on it with the answer in hand.
          await client.query('BEGIN');
          await client.query(`SELECT 1 FROM verifications WHERE idempotency_key = 'after-answer' FOR UPDATE`);
        }
        killed = (async () => {
          await sleep(client ? 300 : 0);
          await kill(api!);
          if (client) await client.query('ROLLBACK');
        })();
        resolve();
      };
    });
    void verify(api!, 'after-answer').catch(() => undefined);
    await answered;
    await killed;
    const again = await restart();
    await retry(again, 'after-answer');
    const verifications = await settled(again);
    expect(verifications).toHaveLength(1);
    const b = await books(again, simulator.state);
    expect(b.calls).toBe(1);
    expect(b.billed).toBe(1);
    // Either the last write never reached the database (unknown, reconciled later) or, being one statement
    // the server already held when the client died, it completed with the true answer (charged): one row.
    expect(b.charged + b.unknown).toBe(1);
  });

  it('when the API dies after the commit, then the retry replays the stored answer and nothing is called again', async () => {
    const first = await verify(api!, 'after-commit');
    expect(first.status).toBe(200);
    const body = await first.text();
    await kill(api!);
    const again = await restart();
    const res = await retry(again, 'after-commit');
    expect(res.headers.get('idempotent-replayed')).toBe('true');
    expect(await res.text()).toBe(body);
    expect(await books(again, simulator.state)).toEqual({ billed: 1, charged: 1, unknown: 0, calls: 1 });
  });

  it('when a call without an Idempotency-Key is cut off by the kill, then the sweep settles it and nothing stays processing', async () => {
    simulator.state.setFaults({ latencyMs: 800 });
    void verify(api!).catch(() => undefined);
    await gate.arrived;
    await kill(api!);
    const again = await restart();
    const verifications = await settled(again);
    expect(verifications.map((v) => [v.status, v.error?.code])).toEqual([['error', 'provider_timeout']]);
    await sleep(1000);
    expect(await books(again, simulator.state)).toEqual({ billed: 1, charged: 0, unknown: 1, calls: 1 });
  });
});
