import { z } from 'zod';
import { route } from '../../src/http/route';
import { insertCustomer } from '../../src/customers/customers-repo';
import { AppError } from '../../src/errors/app-error';
import { testDatabases } from '../helpers/databases';
import { startTestApp, type TestApp } from '../helpers/test-app';

describe.each(testDatabases().map((d) => [d.name, d] as const))('on %s', (_name, engine) => {
  let app: TestApp;
  const calls = { slow: 0, failing: 0, unavailable: 0 };

  beforeAll(async () => {
    // Two handlers only tests need: a slow write (to overlap two requests) and one that crashes.
    app = await startTestApp({
      db: await engine.open(),
      extraRoutes: () => [
        route({
          method: 'post',
          path: '/v1/_test/slow-customers',
          scope: 'customers:write',
          body: z.object({ externalRef: z.string() }).strict(),
          handler: async ({ caller, body, transaction }) => {
            calls.slow += 1;
            await new Promise((resolve) => setTimeout(resolve, 300));
            return transaction(async (tx) => ({ status: 201, body: await insertCustomer(tx, caller.orgId, body.externalRef) }));
          },
        }),
        route({
          method: 'post',
          path: '/v1/_test/unavailable',
          scope: 'customers:write',
          handler: async () => {
            calls.unavailable += 1;
            throw new AppError('provider_unavailable', { params: { provider: 'accuauth' }, provider: 'accuauth', charged: 'free' });
          },
        }),
        route({
          method: 'post',
          path: '/v1/_test/failing',
          scope: 'customers:write',
          handler: async () => {
            calls.failing += 1;
            throw new Error('upstream exploded');
          },
        }),
      ],
    });
  });
  afterAll(async () => {
    await app?.close();
    await app?.deps.db.close();
  });

  const post = (key: string, idem: string, body: unknown, path = '/v1/customers') =>
    app.request('POST', path, { key, body, headers: { 'idempotency-key': idem } });

  async function customerCount(orgId: string): Promise<number> {
    const { rows } = await app.deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM customers WHERE org_id = $1', [orgId]);
    return rows[0]?.n ?? 0;
  }

  describe('Idempotency-Key (Stripe semantics, reliability-and-performance.md A1)', () => {
    it('I1: when the same key and body are replayed after success, then the stored response comes back byte for byte and nothing runs twice', async () => {
      const t = await app.tenant(['customers:write']);
      const first = await post(t.key, 'i1', { externalRef: 'r1' });
      const firstText = await first.text();
      const again = await post(t.key, 'i1', { externalRef: 'r1' });
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(await again.text()).toBe(firstText);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await customerCount(t.orgId)).toBe(1);
    });

    it('I1: when the replayed body has its keys in another order, then it is still the same request', async () => {
      const t = await app.tenant(['customers:write']);
      await post(t.key, 'order', { externalRef: 'same' });
      const again = await app.request('POST', '/v1/customers', {
        key: t.key,
        body: '{ "externalRef" : "same" }',
        headers: { 'idempotency-key': 'order' },
      });
      expect(again.headers.get('idempotent-replayed')).toBe('true');
    });

    it('I2: when the same key comes with a different body, then 422 idempotency_key_reused and nothing runs', async () => {
      const t = await app.tenant(['customers:write']);
      await post(t.key, 'i2', { externalRef: 'a' });
      const res = await post(t.key, 'i2', { externalRef: 'b' });
      expect(res.status).toBe(422);
      expect((await res.json()).error.code).toBe('idempotency_key_reused');
      expect(await customerCount(t.orgId)).toBe(1);
    });

    it('I3: when two requests with the same key run at once, then one succeeds, the other gets 409 and the work runs once', async () => {
      const t = await app.tenant(['customers:write']);
      const before = calls.slow;
      const [a, b] = await Promise.all([
        post(t.key, 'i3', { externalRef: 'race' }, '/v1/_test/slow-customers'),
        post(t.key, 'i3', { externalRef: 'race' }, '/v1/_test/slow-customers'),
      ]);
      expect([a.status, b.status].sort()).toEqual([201, 409]);
      const conflict = a.status === 409 ? a : b;
      expect((await conflict.json()).error).toMatchObject({ code: 'idempotency_key_in_use', retryable: true });
      expect(calls.slow - before).toBe(1);
      expect(await customerCount(t.orgId)).toBe(1);
      const retry = await post(t.key, 'i3', { externalRef: 'race' }, '/v1/_test/slow-customers');
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
    });

    it('I4: when the first request failed validation, then a corrected retry with the same key runs', async () => {
      const t = await app.tenant(['customers:write']);
      const bad = await post(t.key, 'i4', { externalRef: '' });
      expect(bad.status).toBe(400);
      const fixed = await post(t.key, 'i4', { externalRef: 'fixed' });
      expect(fixed.status).toBe(201);
      expect(fixed.headers.get('idempotent-replayed')).toBeNull();
    });

    it('I5: when the first attempt failed with a 500, then the retry replays the stored 500 without running again', async () => {
      const t = await app.tenant(['customers:write']);
      const before = calls.failing;
      const first = await post(t.key, 'i5', {}, '/v1/_test/failing');
      const firstText = await first.text();
      const again = await post(t.key, 'i5', {}, '/v1/_test/failing');
      expect(first.status).toBe(500);
      expect(JSON.parse(firstText).error.code).toBe('internal_error');
      expect(firstText).not.toContain('exploded');
      expect(again.status).toBe(500);
      expect(await again.text()).toBe(firstText);
      expect(calls.failing - before).toBe(1);
    });

    it('when the first attempt failed retryably without cost (provider unavailable, charge free), then the retry runs again', async () => {
      const t = await app.tenant(['customers:write']);
      const before = calls.unavailable;
      const first = await post(t.key, 'free-retry', {}, '/v1/_test/unavailable');
      const again = await post(t.key, 'free-retry', {}, '/v1/_test/unavailable');
      expect([first.status, again.status]).toEqual([503, 503]);
      expect(again.headers.get('idempotent-replayed')).toBeNull();
      expect(calls.unavailable - before).toBe(2);
    });

    it('I6: when another org uses the same key, then it is a separate request', async () => {
      const a = await app.tenant(['customers:write']);
      const b = await app.tenant(['customers:write']);
      const ra = await post(a.key, 'shared-key', { externalRef: 'x' });
      const rb = await post(b.key, 'shared-key', { externalRef: 'x' });
      expect([ra.status, rb.status]).toEqual([201, 201]);
      expect(rb.headers.get('idempotent-replayed')).toBeNull();
      expect((await rb.json()).id).not.toBe((await ra.json()).id);
    });

    it('I7: when the key is older than the 24 h retention, then the request runs as new', async () => {
      const t = await app.tenant(['customers:write']);
      await post(t.key, 'i7', { externalRef: 'day-one' });
      app.advance(23 * 3_600_000);
      expect((await post(t.key, 'i7', { externalRef: 'day-one-b' })).status).toBe(422);
      app.advance(2 * 3_600_000);
      const later = await post(t.key, 'i7', { externalRef: 'day-two' });
      expect(later.status).toBe(201);
      expect(later.headers.get('idempotent-replayed')).toBeNull();
      expect(await customerCount(t.orgId)).toBe(2);
    });

    it('when the Idempotency-Key is longer than 255 characters, then 400 idempotency_key_invalid', async () => {
      const t = await app.tenant(['customers:write']);
      const res = await post(t.key, 'k'.repeat(256), { externalRef: 'x' });
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe('idempotency_key_invalid');
    });

    it('when the business write and the stored response share a transaction, then a replay never finds a customer without its response', async () => {
      const t = await app.tenant(['customers:write']);
      const res = await post(t.key, 'tx', { externalRef: 'atomic' });
      const { rows } = await app.deps.db.query<{ state: string; response_status: number }>(
        'SELECT state, response_status FROM idempotency_keys WHERE org_id = $1 AND key = $2',
        [t.orgId, 'tx'],
      );
      expect(res.status).toBe(201);
      expect(rows[0]).toEqual({ state: 'done', response_status: 201 });
    });

    it('when a slow request loses its claim to a retry before it commits, then its write is rolled back and it answers 409', async () => {
      const t = await app.tenant(['customers:write']);
      const slow = post(t.key, 'lost', { externalRef: 'lost-claim' }, '/v1/_test/slow-customers');
      await new Promise((resolve) => setTimeout(resolve, 100));
      // What a retry does after lockTimeoutSeconds: it takes the claim with a token of its own.
      await app.deps.db.query(`UPDATE idempotency_keys SET claim_token = 'retry' WHERE org_id = $1 AND key = 'lost'`, [t.orgId]);
      const res = await slow;
      expect(res.status).toBe(409);
      expect((await res.json()).error.code).toBe('idempotency_key_in_use');
      expect(await customerCount(t.orgId)).toBe(0);
      const { rows } = await app.deps.db.query('SELECT state, claim_token FROM idempotency_keys WHERE org_id = $1', [t.orgId]);
      expect(rows).toEqual([{ state: 'in_progress', claim_token: 'retry' }]);
    });
  });
});
