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
import { startLapisSimulator } from '../../adapters/lapis/simulator';
import { newSchema } from './databases';
import { REDIS_URL, TEST_MASTER_KEY } from './test-app';

/**
 * Real processes for crash tests: the API (with its worker) as a child process of test/fixtures/crash-server.ts
 * killed with SIGKILL, a gate in front of a vendor simulator that can hold requests or answers, a store of
 * the test's own (a PGlite folder, or a schema on TEST_DATABASE_URL), and the books to check afterwards.
 */

const ROOT = path.join(__dirname, '..', '..');
export const NIK = ACCUAUTH_SANDBOX.results['01']!; // a charged match

export interface Gate {
  url: string;
  /** `hold`: requests are kept and never passed on; `pass`: passed on, answers relayed after `beforeAnswer`. */
  mode: 'hold' | 'pass';
  /** Which requests `mode`, `arrived` and `beforeAnswer` are about (default all); the others pass untouched. */
  only?: (method: string, url: string) => boolean;
  arrived: Promise<void>;
  beforeAnswer?: () => Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

export function startGate(target: string): Promise<Gate> {
  let arrive = () => {};
  const held: IncomingMessage[] = [];
  const gate: Gate = {
    url: '',
    mode: 'pass',
    arrived: Promise.resolve(),
    reset() {
      gate.mode = 'pass';
      gate.only = undefined;
      gate.beforeAnswer = undefined;
      gate.arrived = new Promise((resolve) => (arrive = resolve));
    },
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
  const server: Server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const watched = gate.only?.(req.method ?? '', req.url ?? '') ?? true;
      if (watched) arrive();
      if (watched && gate.mode === 'hold') return void held.push(req);
      const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        const body: Buffer[] = [];
        answer.on('data', (c: Buffer) => body.push(c));
        answer.on('end', async () => {
          if (watched) await gate.beforeAnswer?.();
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

/** The vendors a crash test can put behind its gate. */
export type CrashVendor = 'accuauth' | 'lapis';

export interface Api {
  child: ChildProcess;
  url: string;
  key: string;
  customerId: string;
}

export interface Store {
  env: Record<string, string>;
  /** Server Postgres only: a client on the API's schema, to lock rows. */
  client?: Client;
  close(): Promise<void>;
}

export async function openStore(): Promise<Store> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const dir = mkdtempSync(path.join(tmpdir(), 'verigate-crash-'));
    return {
      env: { VERIGATE_DATA_DIR: dir, VERIGATE_QUEUE_PREFIX: `crash-${randomBytes(4).toString('hex')}` },
      close: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const { schema, url: scoped } = await newSchema(url, 'crash');
  const client = new Client({ connectionString: scoped });
  await client.connect();
  return {
    env: {
      DATABASE_URL: scoped,
      VERIGATE_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'verigate-crash-')),
      VERIGATE_QUEUE_PREFIX: schema,
    },
    client,
    async close() {
      await client.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
      await client.end();
    },
  };
}

export function startApi(
  store: Store,
  vendorUrl: string,
  tenant?: { key: string; customerId: string },
  vendor: CrashVendor = 'accuauth',
): Promise<Api> {
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
      VENDOR_PROVIDER: vendor,
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

export function kill(api: Api): Promise<void> {
  return new Promise((resolve) => {
    api.child.removeAllListeners('exit');
    api.child.once('exit', () => resolve());
    api.child.kill('SIGKILL');
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A paid identity_selfie verification; `extra` adds to the body (`mode: "async"`). */
export function verify(api: Api, idempotencyKey?: string, extra: Record<string, unknown> = {}) {
  return fetch(`${api.url}/v1/verifications`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${api.key}`,
      'content-type': 'application/json',
      ...(idempotencyKey && { 'idempotency-key': idempotencyKey }),
    },
    body: JSON.stringify({
      customerId: api.customerId,
      check: 'identity_selfie',
      input: { idNumber: NIK, faceImage: 'c2VsZmll' },
      ...extra,
    }),
  });
}

/** Retries as an integrator would: while the key is still held by the dead run (409), wait and try again. */
export async function retry(api: Api, idempotencyKey: string): Promise<Response> {
  for (let i = 0; i < 40; i++) {
    const res = await verify(api, idempotencyKey);
    if (res.status !== 409) return res;
    await sleep(250);
  }
  throw new Error('the key stayed in use');
}

export async function get(api: Api, route: string): Promise<Record<string, any>> {
  const res = await fetch(`${api.url}${route}`, { headers: { authorization: `Bearer ${api.key}` } });
  return (await res.json()) as Record<string, any>;
}

/** Waits for the sweep (every second, lease 3 s in the fixture) to leave nothing `processing`. */
export async function settled(api: Api): Promise<Record<string, any>[]> {
  for (let i = 0; i < 40; i++) {
    const processing = await get(api, `/v1/verifications?customerId=${api.customerId}&status=processing`);
    if (processing.data.length === 0) break;
    await sleep(250);
  }
  return (await get(api, `/v1/verifications?customerId=${api.customerId}`)).data;
}

/** The books after a crash: the vendor's own counter against the ledger. */
export async function books(api: Api, sim: SimulatorState) {
  const entries = (await get(api, '/v1/usage/entries?limit=100')).data as { charged: string; verificationId: string }[];
  const billed = sim.billing().totalCharged;
  const charged = entries.filter((e) => e.charged === 'charged').length;
  const unknown = entries.filter((e) => e.charged === 'unknown').length;
  return { billed, charged, unknown, calls: sim.billing().totalCalls };
}

/** What a crash test's cases share: the vendor behind its gate, a store of each case's own, and the running API. */
export interface CrashFixture {
  simulator: RunningSimulator & { state: SimulatorState };
  gate: Gate;
  store: Store;
  api: Api;
  /** Starts the API again on the same store, with the same tenant. */
  restart(): Promise<Api>;
}

/**
 * Registers the hooks of a crash test: the vendor's simulator (AccuAuth unless named) behind a gate for the whole
 * file; per case a fresh store and API, killed and removed after the case however it ended.
 */
export function useCrashFixture(vendor: CrashVendor = 'accuauth'): CrashFixture {
  const f = { api: undefined as Api | undefined } as Partial<CrashFixture> & { api: Api | undefined };
  beforeAll(async () => {
    f.simulator = vendor === 'lapis' ? await startLapisSimulator(0) : await startAccuauthSimulator(0);
    f.gate = await startGate(f.simulator.url);
  });
  afterAll(async () => {
    await f.gate?.close();
    await f.simulator?.close();
  });
  beforeEach(async () => {
    f.simulator!.state.reset();
    f.gate!.reset();
    f.store = await openStore();
    f.api = await startApi(f.store, f.gate!.url, undefined, vendor);
  });
  afterEach(async () => {
    if (f.api) await kill(f.api);
    f.api = undefined;
    await f.store?.close();
  });
  f.restart = async () => {
    f.api = await startApi(f.store!, f.gate!.url, { key: f.api!.key, customerId: f.api!.customerId }, vendor);
    return f.api;
  };
  return f as CrashFixture;
}
