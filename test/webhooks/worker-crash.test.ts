import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { Queue } from 'bullmq';
import { producerConnection, whenReady } from '../../src/jobs/redis';
import { QUEUES } from '../../src/jobs/queues';
import { openStore } from '../../src/store/open-store';
import { verifySignature } from '../../src/webhooks/signature';
import { newSchema } from '../helpers/databases';
import { REDIS_URL, TEST_MASTER_KEY } from '../helpers/test-app';
import { startReceiver, type Receiver } from './receiver';

/**
 * The worker is a real process (the runtime's worker role, test/fixtures/webhook-worker.ts), killed with
 * SIGKILL while deliveries are in flight, then started again. No event may be lost, and none may arrive
 * with another id or another body than its own; the only duplicates allowed are the deliveries the kill
 * cut between the receiver's 2xx and their record (at most the worker's concurrency), sent again with the
 * same id. On server Postgres when TEST_DATABASE_URL is set, else on PGlite in a folder.
 */
jest.setTimeout(120_000);

const ROOT = path.join(__dirname, '..', '..');
const EVENTS = 300;

interface Store {
  env: Record<string, string>;
  close(): Promise<void>;
}

async function newStore(): Promise<Store> {
  const dir = mkdtempSync(path.join(tmpdir(), 'verigate-webhooks-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return { env: { VERIGATE_DATA_DIR: dir }, close: async () => removeDir() };
  const { schema, url: scoped } = await newSchema(url, 'whcrash');
  return {
    env: { DATABASE_URL: scoped, VERIGATE_DATA_DIR: dir },
    async close() {
      const c = new Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
      await c.end();
      removeDir();
    },
  };
}

function startWorker(env: Record<string, string>): Promise<{ child: ChildProcess; line: Record<string, any> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/webhook-worker.ts'], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', REDIS_URL, VERIGATE_MASTER_KEY: TEST_MASTER_KEY, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
    lines.once('line', (line) => resolve({ child, line: JSON.parse(line) }));
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

describe('a webhooks worker killed with SIGKILL mid-delivery', () => {
  let store: Store | undefined;
  let receiver: Receiver | undefined;
  const children: ChildProcess[] = [];
  const prefix = `test-crash-${randomBytes(4).toString('hex')}`;

  afterAll(async () => {
    for (const c of children) await stop(c, 'SIGKILL');
    await receiver?.close();
    const redis = producerConnection(REDIS_URL);
    await whenReady(redis).catch(() => undefined);
    const queue = new Queue(QUEUES.webhooks, { connection: redis, prefix });
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    redis.disconnect();
    await store?.close();
  });

  it('when the worker is killed with deliveries in flight and started again, then every event arrives, with its own id and body, and none is recorded twice', async () => {
    store = await newStore();
    receiver = await startReceiver();
    receiver.answer = () => new Promise((r) => setTimeout(() => r(200), 40));
    const env = { ...store.env, VERIGATE_QUEUE_PREFIX: prefix, VERIGATE_WEBHOOK_ALLOW: '127.0.0.1/32', LOG_LEVEL: 'warn' };

    const first = await startWorker({ ...env, SEED_EVENTS: String(EVENTS), RECEIVER_URL: `${receiver.url}/hooks` });
    children.push(first.child);
    const { events, secret } = first.line as { events: string[]; secret: string };
    expect(events).toHaveLength(EVENTS);
    await receiver.delivered(60, 60_000);
    const inFlight = receiver.inFlight;
    await stop(first.child, 'SIGKILL');
    expect(inFlight).toBeGreaterThan(0); // killed with deliveries in flight
    expect(receiver.received.length).toBeLessThan(EVENTS); // and mid-way, not after the end

    const second = await startWorker(env);
    children.push(second.child);
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 60_000;
      const poll = setInterval(() => {
        const got = new Set(receiver!.received.filter((r) => r.status === 200).map((r) => r.eventId));
        if (events.every((id) => got.has(id))) (clearInterval(poll), resolve());
        else if (Date.now() > deadline) (clearInterval(poll), reject(new Error(`${got.size} of ${EVENTS} events arrived`)));
      }, 100);
    });
    // Jobs the kill left active run again once their lock lapses (2 s) and the stalled check finds them (2 s):
    // those whose request had been answered but not recorded are sent again. Wait for the receiver to be quiet
    // that long twice over, however slow the machine.
    const quietMs = 8000;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      const last = Math.max(...receiver.received.map((r) => r.at));
      if (Date.now() - last > quietMs) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await stop(second.child, 'SIGTERM');

    // Every event arrived; each request carried its own event's id and body, signed.
    const byId = new Map<string, Set<string>>();
    for (const r of receiver.received) {
      const body = JSON.parse(r.body) as { id: string };
      expect(body.id).toBe(r.eventId);
      expect(verifySignature(r.body, r.signature, [secret]).ok).toBe(true);
      byId.set(r.eventId, (byId.get(r.eventId) ?? new Set()).add(r.body));
    }
    expect([...byId.keys()].sort()).toEqual([...events].sort());
    expect([...byId.values()].every((bodies) => bodies.size === 1)).toBe(true);
    // Sent twice only when the kill fell between the receiver's answer and its record: at most the worker's concurrency.
    const twice = receiver.received.length - EVENTS;
    process.stdout.write(`webhook crash: ${inFlight} in flight at the kill, ${twice} sent twice (same id and body)\n`);
    expect(twice).toBeGreaterThanOrEqual(0);
    expect(twice).toBeLessThanOrEqual(16);

    // The books: one delivery per event, delivered, with one logged try each.
    const db = await openStore({ databaseUrl: store.env.DATABASE_URL, dataDir: store.env.VERIGATE_DATA_DIR! }, { pgliteThread: false });
    try {
      const { rows } = await db.query<{ status: string; n: number; tries: number }>(
        `SELECT d.status, count(*)::int AS n, min((SELECT count(*) FROM webhook_delivery_attempts a WHERE a.delivery_id = d.id))::int AS tries
           FROM webhook_deliveries d GROUP BY d.status`,
      );
      expect(rows).toEqual([{ status: 'delivered', n: EVENTS, tries: 1 }]);
      const undispatched = await db.query('SELECT 1 FROM events WHERE dispatched_at IS NULL');
      expect(undispatched.rows).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
