import { Writable } from 'node:stream';
import { ACCUAUTH_SANDBOX } from '../../adapters/accuauth/simulator';
import { ProviderDrains } from '../../src/gateway/drains';
import { producerConnection, whenReady } from '../../src/jobs/redis';
import { createLogger } from '../../src/logger';
import { REDIS_URL } from '../helpers/test-app';
import { SELFIE, startSimulatedGateway, type Simulated } from './support';

const STATE_PREFIX = `test:gw:providers:${Date.now()}`;
const logLines: string[] = [];
let gw: Simulated;
beforeAll(async () => {
  const sink = new Writable({ write: (chunk, _enc, done) => (logLines.push(String(chunk)), done()) });
  gw = await startSimulatedGateway({ statePrefix: STATE_PREFIX }, { logger: createLogger('info', sink) });
});
afterAll(() => gw?.close());
afterEach(async () => {
  if (!gw) return;
  gw.sims.accuauth.setFaults({ quotaExhausted: false });
  await gw.app.deps.gateway.accountHealth.restore('test', 'accuauth');
  await gw.app.deps.gateway.drains.restore('accuauth', { orgId: 'test', keyId: 'test', reason: 'test cleanup' });
});

const SCOPES = ['verifications:write', 'customers:write', 'providers:manage', 'routing:manage'] as const;
const MATCH_NIK = ACCUAUTH_SANDBOX.results['01']!;

async function call(method: string, path: string, key: string, body?: unknown) {
  const res = await gw.app.request(method, path, { key, body });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const verify = (t: { key: string; customerId: string }) =>
  call('POST', '/v1/verifications', t.key, {
    customerId: t.customerId,
    check: 'identity_selfie',
    input: { idNumber: MATCH_NIK, faceImage: SELFIE },
  });
const accuauthOf = async (key: string) =>
  ((await call('GET', '/v1/providers', key)).body.data as Record<string, any>[]).find((p) => p.id === 'accuauth')!;

describe('GET /v1/providers', () => {
  it('when a verification ran, then the provider shows its capabilities, closed breakers, no cooldown and recent latency', async () => {
    const t = await gw.tenant([...SCOPES]);
    expect((await verify(t)).status).toBe(200);
    const { status, body } = await call('GET', '/v1/providers', t.key);
    expect(status).toBe(200);
    expect(body.data.map((p: { id: string }) => p.id)).toEqual(['accuauth', 'idenfy', 'lapis', 'inhouse']);
    const accuauth = body.data[0];
    expect(accuauth).toMatchObject({
      id: 'accuauth',
      object: 'provider',
      drained: null,
      checks: expect.arrayContaining(['identity_selfie', 'name_check']),
    });
    expect(accuauth.operations).toContainEqual({ name: 'id_selfie', serves: 'identity_selfie' });
    expect(accuauth.modes.test).toMatchObject({ breaker: 'closed', account: null, recent: { errorRate: 0 } });
    expect(accuauth.modes.test.recent.calls).toBeGreaterThanOrEqual(1);
    expect(accuauth.modes.test.recent.p50Ms).toEqual(expect.any(Number));
    expect(accuauth.modes.test.recent.p95Ms).toBeGreaterThanOrEqual(accuauth.modes.test.recent.p50Ms);
    expect(accuauth.modes.live).toMatchObject({ breaker: 'closed', account: null, recent: { calls: 0, p50Ms: null } });
  });

  it('when the account runs out of quota, then the provider shows the cooldown and until when', async () => {
    const t = await gw.tenant([...SCOPES]);
    gw.sims.accuauth.setFaults({ quotaExhausted: true });
    await verify(t);
    const accuauth = await accuauthOf(t.key);
    expect(accuauth.modes.test.account).toMatchObject({ state: 'quota_exhausted', suiteCode: 'provider_quota_exhausted' });
    expect(Date.parse(accuauth.modes.test.account.until)).toBeGreaterThan(Date.now() + 60_000);
    expect(accuauth.modes.live.account).toBeNull();
  });

  it('when a key lacks providers:manage, then 401 missing scope', async () => {
    const t = await gw.tenant(['verifications:write', 'customers:write']);
    const { status, body } = await call('GET', '/v1/providers', t.key);
    expect(status).toBe(401);
    expect(body.error.message).toBe('missing scope: providers:manage');
  });
});

describe('drain and restore', () => {
  it('when ops drain a provider, then every instance skips it as drained, explain says so, the log has who and why, and restore brings it back', async () => {
    const t = await gw.tenant([...SCOPES]);
    const drained = await call('POST', '/v1/providers/accuauth/drain', t.key, { reason: 'vendor incident INC-42' });
    expect(drained.status).toBe(200);
    expect(drained.body.drained).toMatchObject({ reason: 'vendor incident INC-42', orgId: t.orgId, keyId: expect.stringMatching(/^key_/) });

    // Another instance reading the same Redis sees the drain.
    const redis = producerConnection(REDIS_URL);
    await whenReady(redis);
    try {
      const other = new ProviderDrains(redis, createLogger('silent'), `${STATE_PREFIX}:drains`);
      expect(await other.drainOf('accuauth')).toMatchObject({ reason: 'vendor incident INC-42' });
    } finally {
      redis.disconnect();
    }

    const calls = gw.sims.accuauth.billing().totalCalls;
    const skipped = await verify(t);
    expect(skipped.status).toBe(503);
    expect(skipped.body.error.reasons).toEqual([
      { provider: 'accuauth', outcome: 'skipped', reason: 'drained' },
      { provider: 'inhouse', outcome: 'skipped', reason: 'input_not_accepted' },
    ]);
    expect(gw.sims.accuauth.billing().totalCalls).toBe(calls);

    const explained = await call('POST', '/v1/routing/explain', t.key, { check: 'identity_selfie' });
    // Without an input, explain cannot tell whether a selfie bundle would let the engine stand in: it lists it.
    expect(explained.body.wouldTry.map((w: { provider: string }) => w.provider)).toEqual(['inhouse']);
    expect(explained.body.skipped).toContainEqual({
      provider: 'accuauth',
      reason: 'drained',
      detail: expect.stringContaining('vendor incident INC-42'),
    });

    const audit = logLines.map((l) => JSON.parse(l)).find((l) => l.audit === 'provider_drained');
    expect(audit).toMatchObject({ provider: 'accuauth', orgId: t.orgId, reason: 'vendor incident INC-42' });

    const restored = await call('POST', '/v1/providers/accuauth/restore', t.key, { reason: 'vendor incident INC-42 closed' });
    expect(restored.status).toBe(200);
    expect(restored.body.drained).toBeNull();
    expect((await verify(t)).status).toBe(200);
    expect(logLines.map((l) => JSON.parse(l)).find((l) => l.audit === 'provider_restored' && l.orgId === t.orgId)).toMatchObject({
      reason: 'vendor incident INC-42 closed',
      wasDrained: true,
    });
  });

  it('when the provider is unknown or the reason too short, then 404 and 400 in the suite model', async () => {
    const t = await gw.tenant([...SCOPES]);
    const unknown = await call('POST', '/v1/providers/acme/drain', t.key, { reason: 'maintenance window' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'resource_not_found', message: 'provider "acme" not found', param: 'id' });
    const short = await call('POST', '/v1/providers/accuauth/drain', t.key, { reason: 'oops' });
    expect(short.status).toBe(400);
    expect(short.body.error).toMatchObject({ code: 'invalid_request', param: 'reason' });
    const extra = await call('POST', '/v1/providers/accuauth/drain', t.key, { reason: 'maintenance window', until: 'never' });
    expect(extra.body.error).toMatchObject({ code: 'invalid_request', param: 'until' });
    expect(await gw.app.deps.gateway.drains.drainOf('accuauth')).toBeNull();
  });
});
