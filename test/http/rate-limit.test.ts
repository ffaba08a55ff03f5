import { route } from '../../src/http/route';
import { producerConnection } from '../../src/jobs/redis';
import type { Db } from '../../src/store/db';
import { memoryDb, startTestApp, type TestApp } from '../helpers/test-app';

// A stand-in with the real limiter and the real `ktp.capture` rule of config/rate-limits.json (20 per
// minute per key, seed 000); the capture endpoint itself belongs to the engine.
const captureLike = () => [
  route({ method: 'post', path: '/v1/_test/ktp-capture', scope: 'captures:write', rateLimit: 'ktp.capture', handler: async () => ({ status: 201, body: { ok: true } }) }),
];

let db: Db;
let one: TestApp;
let two: TestApp;

beforeAll(async () => {
  db = await memoryDb();
  // Two gateway instances: separate apps and Redis connections, one shared Redis and database.
  one = await startTestApp({ db, extraRoutes: captureLike });
  two = await startTestApp({ db, extraRoutes: captureLike });
});
afterAll(async () => {
  await one?.close();
  await two?.close();
  await db?.close();
});

const capture = (app: TestApp, key: string) => app.request('POST', '/v1/_test/ktp-capture', { key, body: {} });

describe('per-key rate limits in Redis', () => {
  it('when a key sends its 21st ktp.capture in a minute, then 429 "rate limit exceeded: ktp.capture" with Retry-After', async () => {
    const { key } = await one.tenant(['captures:write']);
    const statuses = [];
    for (let i = 0; i < 20; i++) statuses.push((await capture(one, key)).status);
    expect(statuses.every((s) => s === 201)).toBe(true);
    const res = await capture(one, key);
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await res.json()).error).toMatchObject({ code: 'rate_limited', message: 'rate limit exceeded: ktp.capture', status: 429, retryable: true });
  });

  it('when requests alternate between two instances, then the 20 are shared, not 20 each', async () => {
    const { key } = await one.tenant(['captures:write']);
    const statuses = [];
    for (let i = 0; i < 21; i++) statuses.push((await capture(i % 2 === 0 ? one : two, key)).status);
    expect(statuses.slice(0, 20).every((s) => s === 201)).toBe(true);
    expect(statuses[20]).toBe(429);
    expect((await capture(one, key)).status).toBe(429);
    expect((await capture(two, key)).status).toBe(429);
  });

  it('when 30 requests of one key race across two instances, then exactly 20 get through', async () => {
    const { key } = await one.tenant(['captures:write']);
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => capture(i % 2 === 0 ? one : two, key)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(20);
    expect(results.filter((r) => r.status === 429)).toHaveLength(10);
  });

  it('when one key is exhausted, then another key of the same org still passes', async () => {
    const first = await one.tenant(['captures:write']);
    for (let i = 0; i < 21; i++) await capture(one, first.key);
    const { key: other } = await one.tenant(['captures:write']);
    expect((await capture(two, other)).status).toBe(201);
  });

  it('when Redis cannot be reached, then the limited route answers 503 service_unavailable instead of letting traffic through', async () => {
    const { key } = await one.tenant(['captures:write']);
    const dead = producerConnection('redis://127.0.0.1:1', { retryStrategy: () => null });
    dead.on('error', () => undefined);
    const cut = await startTestApp({ db, extraRoutes: captureLike, redis: dead });
    try {
      const res = await capture(cut, key);
      expect(res.status).toBe(503);
      expect((await res.json()).error).toMatchObject({ code: 'service_unavailable', message: 'service unavailable: redis' });
    } finally {
      await cut.close();
      dead.disconnect();
    }
  });
});
