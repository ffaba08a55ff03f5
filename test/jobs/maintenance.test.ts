import { QueueEvents, type Queue, type Worker } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import { maintenanceQueue, QUEUES, scheduleMaintenance } from '../../src/jobs/queues';
import { checkEvictionPolicy, producerConnection, whenReady, workerConnection } from '../../src/jobs/redis';
import { startWorkers } from '../../src/jobs/workers';
import { createLogger } from '../../src/logger';
import type { Db } from '../../src/store/db';
import { claimKey } from '../../src/store/idempotency-repo';
import { createOrg } from '../../src/tenancy/orgs-repo';
import { insertCustomer } from '../../src/customers/customers-repo';
import { KeyMaterial } from '../../src/tenancy/key-material';
import { issueKey } from '../../src/tenancy/keys-repo';
import { Jobs } from '../../src/jobs/jobs';
import { memoryDb, REDIS_URL, startTestApp, TEST_MASTER_KEY, type TestApp } from '../helpers/test-app';

const HOUR = 3_600_000;
let db: Db;
let producer: Redis;
let consumer: Redis;
let queue: Queue;
let workers: Worker[];
let events: QueueEvents;
let app: TestApp;
let eventsConnection: Redis;
const prefix = `test-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  db = await memoryDb();
  producer = producerConnection(REDIS_URL);
  await whenReady(producer);
  consumer = workerConnection(REDIS_URL);
  queue = maintenanceQueue(producer, prefix);
  eventsConnection = workerConnection(REDIS_URL);
  events = new QueueEvents(QUEUES.maintenance, { connection: eventsConnection, prefix });
  await events.waitUntilReady();
  app = await startTestApp({ db });
  workers = startWorkers({ ...app.deps, jobs: new Jobs(producer, prefix) }, consumer);
});
afterAll(async () => {
  await Promise.all((workers ?? []).map((w) => w.close()));
  await events?.close();
  await app?.close();
  eventsConnection?.disconnect();
  await queue?.obliterate({ force: true });
  await queue?.close();
  producer?.disconnect();
  consumer?.disconnect();
  await db?.close();
});

describe('maintenance queue on real Redis', () => {
  it('when the idempotency sweep job runs, then records past the 24 h retention are deleted and fresh ones kept', async () => {
    const org = await createOrg(db, { name: 'sweep' });
    const now = Date.now();
    const base = { orgId: org.id, requestHash: 'h', expiredBefore: new Date(0), staleBefore: new Date(0) };
    await claimKey(db, { ...base, key: 'expired', now: new Date(now - 25 * HOUR) });
    await claimKey(db, { ...base, key: 'fresh', now: new Date(now - 23 * HOUR) });

    const job = await queue.add('sweep-idempotency', {}, { jobId: `sweep-${randomBytes(4).toString('hex')}` });
    const result = await job.waitUntilFinished(events, 10_000);

    expect(result).toEqual({ deleted: 1 });
    const { rows } = await db.query<{ key: string }>('SELECT key FROM idempotency_keys WHERE org_id = $1', [org.id]);
    expect(rows.map((r) => r.key)).toEqual(['fresh']);
  });

  it('when the capture sweep runs, then bundles and face enrollments past their retention are erased and the others kept', async () => {
    const org = await createOrg(db, { name: 'captures' });
    const key = await issueKey(db, new KeyMaterial(Buffer.from(TEST_MASTER_KEY, 'hex')), {
      orgId: org.id,
      name: 'k',
      mode: 'test',
      scopes: ['captures:write'],
    });
    const customer = (await insertCustomer(db, org.id, 'c1'))!;
    const now = Date.now();
    for (const [id, retainUntil] of [
      ['cap_old', now - HOUR],
      ['cap_new', now + 29 * 24 * HOUR],
    ] as const) {
      await db.query(
        `INSERT INTO flash_challenges (id, org_id, customer_id, kind, nonce, sequence, expires_at, created_at)
         VALUES ($1, $2, $3, 'selfie', $1, '[]', $4, $4)`,
        [`chl_${id}`, org.id, customer.id, new Date(now - 2 * HOUR)],
      );
      await db.query(
        `INSERT INTO capture_bundles (id, org_id, key_id, customer_id, challenge_id, kind, status, frame_count, frame_bytes,
           bundle_timestamp, replay_digest, anti_spoof, response_status, response_body, retain_until, created_at)
         VALUES ($1, $2, $3, $4, $5, 'selfie', 'passed', 1, 10, 'ts', $1, '{}', 201, '{}', $6, $7)`,
        [id, org.id, key.id, customer.id, `chl_${id}`, new Date(retainUntil), new Date(now - 2 * HOUR)],
      );
    }

    for (const [id, retainUntil] of [
      ['enr_old', now - HOUR],
      ['enr_new', now + 365 * 24 * HOUR],
    ] as const) {
      await db.query(
        `INSERT INTO face_enrollments (id, org_id, customer_id, source, descriptor, quality, quality_detail, status, retain_until, created_at)
         VALUES ($1, $2, $3, 'upload', $4, 1, '{}', 'active', $5, $6)`,
        [id, org.id, customer.id, Buffer.alloc(512), new Date(retainUntil), new Date(now - 2 * HOUR)],
      );
    }

    const job = await queue.add('sweep-captures', {}, { jobId: `captures-${randomBytes(4).toString('hex')}` });
    expect(await job.waitUntilFinished(events, 10_000)).toEqual({ deleted: 1, enrollmentsDeleted: 1 });
    const { rows } = await db.query<{ id: string }>('SELECT id FROM capture_bundles WHERE org_id = $1', [org.id]);
    expect(rows.map((r) => r.id)).toEqual(['cap_new']);
    const { rows: enrollments } = await db.query<{ id: string }>('SELECT id FROM face_enrollments WHERE org_id = $1', [org.id]);
    expect(enrollments.map((r) => r.id)).toEqual(['enr_new']);
  });

  it('when the same job id is added twice, then the job exists once', async () => {
    const jobId = `dup-${randomBytes(4).toString('hex')}`;
    await queue.add('sweep-idempotency', {}, { jobId, delay: 60_000 });
    await queue.add('sweep-idempotency', {}, { jobId, delay: 60_000 });
    const delayed = await queue.getDelayed();
    expect(delayed.filter((j) => j.id === jobId)).toHaveLength(1);
    await queue.remove(jobId);
  });

  it('when the schedule is registered twice (two replicas starting), then there is one scheduler', async () => {
    await scheduleMaintenance(queue, 60);
    await scheduleMaintenance(queue, 60);
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => s.key).sort()).toEqual(['sweep-captures', 'sweep-idempotency']);
    expect(schedulers.every((s) => s.every === 60 * 60_000)).toBe(true);
    await queue.removeJobScheduler('sweep-idempotency');
    await queue.removeJobScheduler('sweep-captures');
  });

  it('when a job carries data, then it holds ids only: the sweep job has no payload at all', async () => {
    const job = await queue.add('sweep-idempotency', {}, { delay: 60_000 });
    expect(job.data).toEqual({});
    await job.remove();
  });
});

describe('Redis settings BullMQ depends on', () => {
  it('when maxmemory-policy is not noeviction, then start-up logs a warning naming the policy', async () => {
    const lines: string[] = [];
    const logger = createLogger('warn', new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
    const original = ((await producer.config('GET', 'maxmemory-policy')) as string[])[1] as string;
    await producer.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      expect(await checkEvictionPolicy(producer, logger)).toBe('allkeys-lru');
    } finally {
      await producer.config('SET', 'maxmemory-policy', original);
    }
    expect(lines.join('')).toMatch(/"policy":"allkeys-lru".*noeviction/);
    lines.length = 0;
    await checkEvictionPolicy(producer, logger);
    expect(lines).toEqual([]);
  });

  it('when Redis is down, then a producer fails at once instead of queueing the command', async () => {
    const dead = producerConnection('redis://127.0.0.1:1', { retryStrategy: () => null });
    dead.on('error', () => undefined);
    const deadQueue = maintenanceQueue(dead, prefix);
    deadQueue.on('error', () => undefined);
    const started = Date.now();
    await expect(deadQueue.add('sweep-idempotency', {})).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
    await deadQueue.close();
    dead.disconnect();
  });
});
