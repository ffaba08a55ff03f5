import { ACCUAUTH_SANDBOX } from '../../adapters/accuauth/simulator';
import { producerConnection } from '../../src/jobs/redis';
import type { Db } from '../../src/store/db';
import { startTestApp } from '../helpers/test-app';
import { ledgerCounts, SELFIE, startSimulatedGateway, type Simulated } from './support';
import { textOf } from '../../src/store/sql';

/** The verification's writes (VerificationJournal): each call written ahead of being made, two writes in the common case. */
let gw: Simulated;
beforeAll(async () => {
  gw = await startSimulatedGateway();
});
afterAll(() => gw?.close());
afterEach(() => gw?.sims.accuauth.setFaults({ latencyMs: 0 }));

const selfie = (nik: string) => ({ idNumber: nik, faceImage: SELFIE });

/** Counts the writes that reach the database: transactions, and statements that write outside one. */
function countWrites(db: Db): { writes: () => number; stop: () => void } {
  const { transaction, query } = db;
  let writes = 0;
  db.transaction = (fn) => {
    writes += 1;
    return transaction(fn);
  };
  db.query = (sql, params) => {
    if (/^\s*(WITH[\s\S]*)?(INSERT|UPDATE|DELETE)/i.test(textOf(sql))) writes += 1;
    return query(sql, params);
  };
  return {
    writes: () => writes,
    stop: () => {
      db.transaction = transaction;
      db.query = query;
    },
  };
}

async function verify(key: string, customerId: string, nik: string, headers: Record<string, string> = {}) {
  const res = await gw.app.request('POST', '/v1/verifications', {
    key,
    body: { customerId, check: 'identity_selfie', input: selfie(nik) },
    headers,
  });
  return { res, body: (await res.json()) as Record<string, any> };
}

describe('write-ahead attempts', () => {
  it('when a verification with an Idempotency-Key is answered by its first provider, then it costs exactly two write transactions', async () => {
    const t = await gw.tenant();
    const counter = countWrites(gw.app.deps.db);
    try {
      const { res } = await verify(t.key, t.customerId, ACCUAUTH_SANDBOX.results['01']!, { 'Idempotency-Key': 'two-writes' });
      expect(res.status).toBe(200);
      expect(counter.writes()).toBe(2);
    } finally {
      counter.stop();
    }
  });

  it('when the call is in flight, then its attempt and an `unknown` ledger row are already committed; the answer settles both', async () => {
    const t = await gw.tenant();
    gw.sims.accuauth.setFaults({ latencyMs: 300 });
    const answer = verify(t.key, t.customerId, ACCUAUTH_SANDBOX.results['01']!);
    await new Promise((r) => setTimeout(r, 150));
    const during = await gw.app.deps.db.query<{ state: string; charged: string }>(
      `SELECT a.state, l.charged FROM verification_attempts a JOIN ledger_entries l ON l.attempt_id = a.id WHERE a.org_id = $1`,
      [t.orgId],
    );
    expect(during.rows).toEqual([{ state: 'in_flight', charged: 'unknown' }]);
    expect((await answer).res.status).toBe(200);
    const after = await gw.app.deps.db.query<{ state: string; charged: string }>(
      `SELECT a.state, l.charged FROM verification_attempts a JOIN ledger_entries l ON l.attempt_id = a.id WHERE a.org_id = $1`,
      [t.orgId],
    );
    expect(after.rows).toEqual([{ state: 'settled', charged: 'charged' }]);
  });

  it('when the adapter refuses the input before sending (an image over 50 KB), then the call written ahead is withdrawn: no attempt, no ledger row', async () => {
    const t = await gw.tenant();
    const big = Buffer.alloc(60 * 1024, 1).toString('base64');
    const res = await gw.app.request('POST', '/v1/verifications', {
      key: t.key,
      body: { customerId: t.customerId, check: 'identity_selfie', provider: 'accuauth', input: { idNumber: ACCUAUTH_SANDBOX.plain, faceImage: big } },
    });
    expect(res.status).toBe(400);
    expect(await ledgerCounts(gw.app, t.orgId)).toEqual({ charged: 0, free: 0, unknown: 0, total: 0 });
    const { rows } = await gw.app.deps.db.query('SELECT status FROM verifications WHERE org_id = $1', [t.orgId]);
    expect(rows).toEqual([{ status: 'error' }]);
  });
});

describe('failures before any effect', () => {
  it('when Redis is down before any call, then 503 service_unavailable with Retry-After, and the Idempotency-Key remembers nothing', async () => {
    const t = await gw.tenant();
    // The same database, but a Redis that never answers: drains and cooldowns cannot be read.
    const dead = producerConnection('redis://127.0.0.1:1', { retryStrategy: () => null, lazyConnect: true });
    const down = await startTestApp({ db: gw.app.deps.db, redis: dead, providers: gw.app.deps.providers });
    try {
      const res = await down.request('POST', '/v1/verifications', {
        key: t.key,
        body: { customerId: t.customerId, check: 'identity_selfie', input: selfie(ACCUAUTH_SANDBOX.results['01']!) },
        headers: { 'Idempotency-Key': 'redis-down' },
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect((await res.json()).error).toMatchObject({ code: 'service_unavailable', retryable: true, charged: null });
    } finally {
      await down.close();
    }
    // Redis is back: the retry with the same key runs for real instead of replaying the 503.
    const { res, body } = await verify(t.key, t.customerId, ACCUAUTH_SANDBOX.results['01']!, { 'Idempotency-Key': 'redis-down' });
    expect(res.status).toBe(200);
    expect(res.headers.get('idempotent-replayed')).toBeNull();
    expect(body.status).toBe('passed');
    expect(await ledgerCounts(gw.app, t.orgId)).toEqual({ charged: 1, free: 0, unknown: 0, total: 1 });
  });
});

describe('a run that makes no call still answers for its Idempotency-Key', () => {
  const drain = () => gw.app.deps.gateway.drains.drain('accuauth', { reason: 'test', operatorKeyId: 'opk_test', at: new Date().toISOString() });
  const restore = () => gw.app.deps.gateway.drains.restore('accuauth');
  const rowsOf = async (orgId: string) =>
    (await gw.app.deps.db.query<{ status: string }>('SELECT status FROM verifications WHERE org_id = $1 ORDER BY seq', [orgId])).rows.map((r) => r.status);

  it('when the key is held by a run in flight and the vendor is drained, then the retry gets 409, and once answered a replay, never a run of its own', async () => {
    const t = await gw.tenant();
    const nik = ACCUAUTH_SANDBOX.results['01']!;
    gw.sims.accuauth.setFaults({ latencyMs: 300 });
    const before = gw.sims.accuauth.billing().totalCalls;
    const first = verify(t.key, t.customerId, nik, { 'Idempotency-Key': 'held-while-drained' });
    await new Promise((r) => setTimeout(r, 100));
    await drain();
    try {
      const during = await verify(t.key, t.customerId, nik, { 'Idempotency-Key': 'held-while-drained' });
      expect(during.res.status).toBe(409);
      expect(during.body.error.code).toBe('idempotency_key_in_use');
      expect((await first).res.status).toBe(200);
      const after = await verify(t.key, t.customerId, nik, { 'Idempotency-Key': 'held-while-drained' });
      expect(after.res.status).toBe(200);
      expect(after.res.headers.get('idempotent-replayed')).toBe('true');
    } finally {
      await restore();
    }
    expect(await rowsOf(t.orgId)).toEqual(['passed']);
    expect(gw.sims.accuauth.billing().totalCalls - before).toBe(1);
  });

  it('when the run holding the key died with its call in flight and the retry finds the vendor drained, then the retry resumes that run (unknown, remembered) and the vendor is never called twice', async () => {
    const t = await gw.tenant();
    const nik = ACCUAUTH_SANDBOX.results['01']!;
    gw.sims.accuauth.setFaults({ latencyMs: 300 });
    const before = gw.sims.accuauth.billing();
    // The first run's call is in flight; its claim is made stale, as a dead process leaves it.
    const dying = verify(t.key, t.customerId, nik, { 'Idempotency-Key': 'died-in-flight' });
    await new Promise((r) => setTimeout(r, 100));
    await gw.app.deps.db.query(`UPDATE idempotency_keys SET locked_at = locked_at - interval '1 hour' WHERE org_id = $1`, [t.orgId]);
    await drain();
    try {
      const retry = await verify(t.key, t.customerId, nik, { 'Idempotency-Key': 'died-in-flight' });
      expect(retry.res.status).toBe(504);
      expect(retry.body.error).toMatchObject({ code: 'provider_timeout', charged: 'unknown' });
      // The "dead" run's answer comes back to a claim it no longer holds: nothing of it is written.
      expect((await dying).res.status).toBe(409);
      await restore();
      const again = await verify(t.key, t.customerId, nik, { 'Idempotency-Key': 'died-in-flight' });
      expect(again.res.status).toBe(504);
      expect(again.res.headers.get('idempotent-replayed')).toBe('true');
    } finally {
      await restore();
    }
    expect(await rowsOf(t.orgId)).toEqual(['error']);
    expect(await ledgerCounts(gw.app, t.orgId)).toEqual({ charged: 0, free: 0, unknown: 1, total: 1 });
    const after = gw.sims.accuauth.billing();
    expect(after.totalCalls - before.totalCalls).toBe(1);
    expect(after.totalCharged - before.totalCharged).toBe(1);
  });
});
