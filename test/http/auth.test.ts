import { startTestApp, type TestApp } from '../helpers/test-app';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

async function errorOf(res: Response) {
  return (await res.json()).error;
}

describe('API keys and scopes', () => {
  it('when no key is sent, then 401 api_key_missing', async () => {
    const res = await app.request('GET', '/v1/customers');
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe('api_key_missing');
  });

  it('when a key that was never issued is sent, then 401 api_key_invalid', async () => {
    const res = await app.request('GET', '/v1/customers', { key: `vk_test_${'A'.repeat(44)}` });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe('api_key_invalid');
  });

  it('when a real key is altered in its secret part, then 401 api_key_invalid', async () => {
    const { key } = await app.tenant(['customers:view']);
    const forged = key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a');
    const res = await app.request('GET', '/v1/customers', { key: forged });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe('api_key_invalid');
  });

  it('when a sandbox key is presented as a live key, then 401', async () => {
    const { key } = await app.tenant(['customers:view']);
    const res = await app.request('GET', '/v1/customers', { key: key.replace('vk_test_', 'vk_live_') });
    expect(res.status).toBe(401);
  });

  it('when the key lacks the route scope, then 401 "missing scope: <scope>" as in seed 000', async () => {
    const { key } = await app.tenant(['customers:write']);
    const res = await app.request('GET', '/v1/customers', { key });
    expect(res.status).toBe(401);
    expect(await errorOf(res)).toMatchObject({ code: 'missing_scope', message: 'missing scope: customers:view', type: 'authentication_error' });
  });

  it('when a key is revoked, then it stops working at once', async () => {
    const admin = await app.tenant(['keys:write', 'keys:view', 'customers:view']);
    const created = await (await app.request('POST', '/v1/keys', { key: admin.key, body: { name: 'temp', scopes: ['customers:view'] } })).json();
    expect((await app.request('GET', '/v1/customers', { key: created.key })).status).toBe(200);
    expect((await app.request('DELETE', `/v1/keys/${created.id}`, { key: admin.key })).status).toBe(200);
    expect((await app.request('GET', '/v1/customers', { key: created.key })).status).toBe(401);
  });

  it('when a key creates a key, then it is shown once with its hmacKey and listed without them', async () => {
    const admin = await app.tenant(['keys:write', 'keys:view']);
    const res = await app.request('POST', '/v1/keys', { key: admin.key, body: { name: 'ci', scopes: ['keys:view'] } });
    expect(res.status).toBe(201);
    const created = await res.json();
    expect(created.key).toMatch(/^vk_test_[0-9A-Za-z]{44}$/);
    expect(created.hmacKey).toMatch(/^[0-9a-f]{64}$/);
    const listed = await (await app.request('GET', '/v1/keys', { key: admin.key })).json();
    const row = listed.data.find((k: { id: string }) => k.id === created.id);
    expect(row).toMatchObject({ name: 'ci', mode: 'test', scopes: ['keys:view'] });
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect(JSON.stringify(listed)).not.toContain(created.hmacKey);
  });

  it('when a key asks for a scope it does not hold, then the new key is refused', async () => {
    const admin = await app.tenant(['keys:write']);
    const res = await app.request('POST', '/v1/keys', { key: admin.key, body: { name: 'escalate', scopes: ['usage:view'] } });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).message).toBe('missing scope: usage:view');
  });
});

describe('tenant isolation', () => {
  it("when org B reads org A's customer, then 404 as if it did not exist", async () => {
    const a = await app.tenant(['customers:write', 'customers:view']);
    const b = await app.tenant(['customers:view']);
    const created = await (await app.request('POST', '/v1/customers', { key: a.key, body: { externalRef: 'alice' } })).json();
    expect((await app.request('GET', `/v1/customers/${created.id}`, { key: a.key })).status).toBe(200);
    const res = await app.request('GET', `/v1/customers/${created.id}`, { key: b.key });
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatchObject({ code: 'resource_not_found', message: 'customer not found' });
    const list = await (await app.request('GET', '/v1/customers', { key: b.key })).json();
    expect(list.data).toEqual([]);
  });

  it("when org B revokes org A's key, then 404 and the key still works", async () => {
    const a = await app.tenant(['customers:view']);
    const b = await app.tenant(['keys:write']);
    expect((await app.request('DELETE', `/v1/keys/${a.keyId}`, { key: b.key })).status).toBe(404);
    expect((await app.request('GET', '/v1/customers', { key: a.key })).status).toBe(200);
  });
});

describe('customers', () => {
  it('when customers are listed in pages, then every customer appears once in creation order', async () => {
    const t = await app.tenant(['customers:write', 'customers:view']);
    for (const ref of ['c1', 'c2', 'c3']) await app.request('POST', '/v1/customers', { key: t.key, body: { externalRef: ref } });
    const first = await (await app.request('GET', '/v1/customers?limit=2', { key: t.key })).json();
    expect(first.data.map((c: { externalRef: string }) => c.externalRef)).toEqual(['c1', 'c2']);
    expect(first.hasMore).toBe(true);
    const second = await (await app.request('GET', `/v1/customers?limit=2&startingAfter=${first.nextCursor}`, { key: t.key })).json();
    expect(second.data.map((c: { externalRef: string }) => c.externalRef)).toEqual(['c3']);
    expect(second.hasMore).toBe(false);
  });

  it('when the same externalRef is posted again without an idempotency key, then the existing customer comes back with 200', async () => {
    const t = await app.tenant(['customers:write']);
    const first = await app.request('POST', '/v1/customers', { key: t.key, body: { externalRef: 'dup' } });
    const again = await app.request('POST', '/v1/customers', { key: t.key, body: { externalRef: 'dup' } });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect((await again.json()).id).toBe((await first.json()).id);
  });
});
