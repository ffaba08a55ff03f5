import { ACCUAUTH_SANDBOX } from '../../adapters/accuauth/simulator';
import { createApp } from '../../src/http/app';
import { route } from '../../src/http/route';
import { issueOperatorKey } from '../../src/ops/operator-keys-repo';
import { issueKey } from '../../src/tenancy/keys-repo';
import { createOrg } from '../../src/tenancy/orgs-repo';
import { SCOPES } from '../../src/tenancy/scopes';
import { SELFIE, startSimulatedGateway, type Simulated } from '../gateway/support';

/**
 * What a key and an org may spend at paid vendors: a per-key rate limit on every route that can call one
 * (config/rate-limits.json: 20 a minute), and an org's optional daily cap in IDR, set by an operator. Both
 * refuse before anything is written or called, and both show in /v1/usage.
 */
let gw: Simulated;
let operatorKey: string;
beforeAll(async () => {
  gw = await startSimulatedGateway();
  ({ key: operatorKey } = await issueOperatorKey(gw.app.deps.db, gw.app.deps.keys, 'finance on-call'));
});
afterAll(() => gw?.close());

const MATCH_NIK = ACCUAUTH_SANDBOX.results['01']!; // a charged match
const accuauthCalls = () => gw.sims.accuauth.billing().totalCalls;
const ledgerRows = async (orgId: string) =>
  Number((await gw.app.deps.db.query<{ n: string }>('SELECT count(*) AS n FROM ledger_entries WHERE org_id = $1', [orgId])).rows[0]!.n);

async function verify(t: { key: string; customerId: string }, idempotencyKey?: string) {
  const res = await gw.app.request('POST', '/v1/verifications', {
    key: t.key,
    body: { customerId: t.customerId, check: 'identity_selfie', provider: 'accuauth', input: { idNumber: MATCH_NIK, faceImage: SELFIE } },
    headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

describe('per-key rate limit on paid routes', () => {
  it('when a key sends a 21st verification in the window, then 429 rate limited with Retry-After, no vendor call and no ledger row', async () => {
    const t = await gw.tenant(['verifications:write', 'customers:write', 'usage:view']);
    const limit = gw.app.deps.config.rateLimits['verifications.create']!;
    expect(limit).toEqual({ limit: 20, windowSeconds: 60 });
    for (let i = 0; i < 20; i++) expect((await verify(t, `rl-${i}`)).status).toBe(200);
    const calls = accuauthCalls();
    const rows = await ledgerRows(t.orgId);

    const refused = await verify(t, 'rl-20');
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'rate_limited', message: 'rate limit exceeded: verifications.create', type: 'rate_limit_error' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(accuauthCalls()).toBe(calls);
    expect(await ledgerRows(t.orgId)).toBe(rows);

    const usage = await gw.app.request('GET', '/v1/usage', { key: t.key });
    const limits = (await usage.json()).limits;
    expect(limits.rateLimits).toContainEqual({ operation: 'verifications.create', limit: 20, windowSeconds: 60, used: 20 });
  });

  it('when a body is invalid, then it costs no slot of the limit', async () => {
    const t = await gw.tenant(['verifications:write', 'customers:write', 'usage:view']);
    for (let i = 0; i < 25; i++) {
      const res = await gw.app.request('POST', '/v1/verifications', { key: t.key, body: { customerId: t.customerId, check: 'identity_selfie' } });
      expect(res.status).toBe(400);
    }
    expect((await verify(t)).status).toBe(200);
  });

  it('when a dukcapil check is the 21st in the window, then 429 too, before the body is read', async () => {
    const org = await createOrg(gw.app.deps.db, { name: 'dk', capabilities: ['dukcapil'] });
    const { key } = await issueKey(gw.app.deps.db, gw.app.deps.keys, { orgId: org.id, name: 'dk', mode: 'test', scopes: ['verifications:write'] });
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      // A body that fits the schema but names no customer of the org: 404 after the slot is taken.
      const res = await gw.app.request('POST', '/v1/nik/dukcapil', { key, body: { customerId: 'cus_nobody', nik: MATCH_NIK, selfie: SELFIE } });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 404)).toBe(true);
    expect(statuses[20]).toBe(429);
  });

  it('when a route calls paid vendors without a rate limit, then the app refuses to start', () => {
    const unlimited = route({ method: 'post', path: '/v1/x', scope: 'verifications:write', paidVendorCalls: true, handler: async () => ({ status: 200, body: {} }) });
    expect(() => createApp(gw.app.deps, [unlimited])).toThrow(/calls paid vendors: it needs a rateLimit/);
  });
});

describe('daily spend cap per org', () => {
  it('when the org reaches its cap, then paid routes answer 429 spend_cap_reached with Retry-After until the UTC day ends, calling nobody; usage shows it', async () => {
    const t = await gw.tenant(['verifications:write', 'customers:write', 'usage:view']);
    const set = await gw.app.request('POST', `/v1/ops/orgs/${t.orgId}/spend-cap`, {
      key: operatorKey,
      body: { dailyIdr: 5000, reason: 'pilot budget, ticket FIN-9' },
    });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ dailySpendCap: 5000, audit: { action: 'org.set_spend_cap', detail: { dailyIdr: 5000 } } });

    // id_selfie is 3,500 IDR: the first leaves 1,500 of room, the second passes the cap, the third is refused.
    expect((await verify(t)).status).toBe(200);
    expect((await verify(t)).status).toBe(200);
    const calls = accuauthCalls();
    const rows = await ledgerRows(t.orgId);
    const refused = await verify(t, 'over-cap');
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({
      code: 'spend_cap_reached',
      message: 'daily spend cap reached: 7000 of 5000 IDR today (UTC)',
      type: 'rate_limit_error',
      retryable: true,
      spendCap: { dailyCap: 5000, spent: 7000, mode: 'test' },
    });
    const retryAfter = Number(refused.headers.get('retry-after'));
    const midnight = Math.ceil(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1) / 1000);
    expect(Math.abs(Date.now() / 1000 + retryAfter - midnight)).toBeLessThan(5);
    expect(accuauthCalls()).toBe(calls);
    expect(await ledgerRows(t.orgId)).toBe(rows);

    const usage = await (await gw.app.request('GET', '/v1/usage', { key: t.key })).json();
    expect(usage.limits.spendCap).toMatchObject({ dailyCap: 5000, spent: 7000, mode: 'test', day: new Date().toISOString().slice(0, 10) });

    // The operator lifts it: the next call runs.
    await gw.app.request('POST', `/v1/ops/orgs/${t.orgId}/spend-cap`, { key: operatorKey, body: { dailyIdr: null, reason: 'budget raised, FIN-10' } });
    expect((await verify(t, 'over-cap')).status).toBe(200);
  });

  it('when a tenant tries to set its own cap, then 403 operator_key_required', async () => {
    const t = await gw.tenant([...SCOPES]);
    const res = await gw.app.request('POST', `/v1/ops/orgs/${t.orgId}/spend-cap`, { key: t.key, body: { dailyIdr: null, reason: 'remove my own cap please' } });
    expect(res.status).toBe(403);
  });
});

describe('key scopes', () => {
  it('when a key with every scope makes a key with every scope, then 201', async () => {
    const t = await gw.tenant([...SCOPES]);
    const res = await gw.app.request('POST', '/v1/keys', { key: t.key, body: { name: 'all', scopes: [...SCOPES] } });
    expect(res.status).toBe(201);
    expect((await res.json()).scopes).toHaveLength(SCOPES.length);
  });
});
