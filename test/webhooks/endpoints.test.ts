import type { Config } from '../../src/config';
import { recordEvent } from '../../src/webhooks/events-repo';
import { issueKey } from '../../src/tenancy/keys-repo';
import { startTestApp, testConfig, type TestApp } from '../helpers/test-app';

const webhooks = { ...testConfig().webhooks, allow: { hosts: [], cidrs: ['127.0.0.1/32'] } };
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ config: { webhooks } as Partial<Config> });
});
afterAll(() => app?.close());

const HOOK = 'http://127.0.0.1:9/hooks';

async function create(key: string, body: Record<string, unknown>) {
  const res = await app.request('POST', '/v1/webhook-endpoints', { key, body });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('webhook endpoints API', () => {
  it('when an endpoint is created, then its secret is shown in that answer only, and it is listed and read without it', async () => {
    const t = await app.tenant(['webhooks:manage']);
    const { status, body } = await create(t.key, {
      url: HOOK,
      enabledEvents: ['verification.completed', 'kyc.tier_changed'],
      description: 'ops',
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({
      id: expect.stringMatching(/^we_/),
      object: 'webhook_endpoint',
      url: HOOK,
      enabledEvents: ['verification.completed', 'kyc.tier_changed'],
      status: 'enabled',
      livemode: false,
      secret: expect.stringMatching(/^whsec_/),
    });
    const read = await (await app.request('GET', `/v1/webhook-endpoints/${body.id}`, { key: t.key })).json();
    expect(read).not.toHaveProperty('secret');
    const listed = await (await app.request('GET', '/v1/webhook-endpoints', { key: t.key })).json();
    expect(listed.data.map((e: { id: string }) => e.id)).toEqual([body.id]);
    expect(listed.data[0]).not.toHaveProperty('secret');
    const { rows } = await app.deps.db.query<{ secret_sealed: Uint8Array }>('SELECT secret_sealed FROM webhook_endpoints WHERE id = $1', [
      body.id,
    ]);
    expect(Buffer.from(rows[0]!.secret_sealed).toString('latin1')).not.toContain(body.secret);
    expect(app.deps.keys.unseal(Buffer.from(rows[0]!.secret_sealed))).toBe(body.secret);
  });

  it('when another org or a key without webhooks:manage asks, then it gets 404 or missing scope', async () => {
    const owner = await app.tenant(['webhooks:manage']);
    const { body } = await create(owner.key, { url: HOOK, enabledEvents: ['*'] });
    const other = await app.tenant(['webhooks:manage']);
    expect((await app.request('GET', `/v1/webhook-endpoints/${body.id}`, { key: other.key })).status).toBe(404);
    expect((await app.request('DELETE', `/v1/webhook-endpoints/${body.id}`, { key: other.key })).status).toBe(404);
    const viewer = await app.tenant(['events:view']);
    const res = await app.request('POST', '/v1/webhook-endpoints', { key: viewer.key, body: { url: HOOK, enabledEvents: ['*'] } });
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toBe('missing scope: webhooks:manage');
  });

  it('when the body names an unknown event type, the test event, or no URL, then 400 invalid_request', async () => {
    const t = await app.tenant(['webhooks:manage']);
    for (const body of [
      { url: HOOK, enabledEvents: ['verification.exploded'] },
      { url: HOOK, enabledEvents: ['webhook_endpoint.test'] },
      { url: HOOK, enabledEvents: [] },
      { enabledEvents: ['*'] },
      { url: 'not a url', enabledEvents: ['*'] },
    ]) {
      const res = await create(t.key, body);
      expect(res.status).toBe(400);
      expect(['invalid_request', 'webhook_url_not_allowed']).toContain(res.body.error.code);
    }
  });

  it('when a live key names an http URL, then 400 webhook_url_not_allowed: live endpoints are https', async () => {
    const t = await app.tenant(['webhooks:manage']);
    const live = await issueKey(app.deps.db, app.deps.keys, { orgId: t.orgId, name: 'live', mode: 'live', scopes: ['webhooks:manage'] });
    const res = await create(live.key, { url: HOOK, enabledEvents: ['*'] });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'webhook_url_not_allowed', message: expect.stringContaining('scheme http:') });
    // The sandbox key's endpoints are not the live key's.
    await create(t.key, { url: HOOK, enabledEvents: ['*'] });
    expect((await (await app.request('GET', '/v1/webhook-endpoints', { key: live.key })).json()).data).toEqual([]);
  });

  it('when an endpoint is deleted, then it is gone from the API', async () => {
    const t = await app.tenant(['webhooks:manage']);
    const { body } = await create(t.key, { url: HOOK, enabledEvents: ['*'] });
    const del = await app.request('DELETE', `/v1/webhook-endpoints/${body.id}`, { key: t.key });
    expect(del.status).toBe(200);
    expect(await del.json()).toMatchObject({ id: body.id, deleted: true });
    expect((await app.request('GET', `/v1/webhook-endpoints/${body.id}`, { key: t.key })).status).toBe(404);
    expect((await app.request('POST', `/v1/webhook-endpoints/${body.id}/rotate-secret`, { key: t.key, body: {} })).status).toBe(404);
  });

  it('when a secret is rotated without an overlap, then the default 24 h overlap applies; an overlap beyond 7 days is refused', async () => {
    const t = await app.tenant(['webhooks:manage']);
    const { body } = await create(t.key, { url: HOOK, enabledEvents: ['*'] });
    const before = Date.now();
    const res = await app.request('POST', `/v1/webhook-endpoints/${body.id}/rotate-secret`, { key: t.key, body: {} });
    expect(res.status).toBe(200);
    const rotated = await res.json();
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(body.secret);
    expect(Date.parse(rotated.previousSecretExpiresAt) - before).toBeGreaterThanOrEqual(86_400_000 - 1000);
    const tooLong = await app.request('POST', `/v1/webhook-endpoints/${body.id}/rotate-secret`, {
      key: t.key,
      body: { overlapSeconds: 8 * 86_400 },
    });
    expect(tooLong.status).toBe(400);
  });
});

describe('events API', () => {
  it('when events are listed, then the org sees its own, newest first, by type, a page at a time', async () => {
    const t = await app.tenant(['events:view']);
    const other = await app.tenant(['events:view']);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const type = i % 2 ? 'kyc.tier_changed' : 'verification.completed';
      ids.push(await app.deps.db.transaction((tx) => recordEvent(tx, { orgId: t.orgId, type, sandbox: true, data: { n: i } })));
    }
    await app.deps.db.transaction((tx) => recordEvent(tx, { orgId: other.orgId, type: 'verification.completed', sandbox: true, data: {} }));
    await app.deps.db.transaction((tx) => recordEvent(tx, { orgId: t.orgId, type: 'verification.completed', sandbox: false, data: {} }));

    const first = await (await app.request('GET', '/v1/events?limit=2', { key: t.key })).json();
    expect(first.data.map((e: { id: string }) => e.id)).toEqual([ids[4], ids[3]]);
    expect(first).toMatchObject({ object: 'list', hasMore: true, nextCursor: ids[3] });
    const second = await (await app.request('GET', `/v1/events?limit=10&startingAfter=${first.nextCursor}`, { key: t.key })).json();
    expect(second.data.map((e: { id: string }) => e.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(second).toMatchObject({ hasMore: false, nextCursor: null });
    const kyc = await (await app.request('GET', '/v1/events?type=kyc.tier_changed', { key: t.key })).json();
    expect(kyc.data.map((e: { id: string }) => e.id)).toEqual([ids[3], ids[1]]);
    expect((await app.request('GET', `/v1/events/${ids[0]}`, { key: other.key })).status).toBe(404);
    expect((await app.request('GET', '/v1/events?type=nope', { key: t.key })).status).toBe(400);
  });
});
