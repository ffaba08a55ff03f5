import { Writable } from 'node:stream';
import { ACCUAUTH_SANDBOX } from '../../adapters/accuauth/simulator';
import { ProviderDrains } from '../../src/gateway/drains';
import { producerConnection, whenReady } from '../../src/jobs/redis';
import { createLogger } from '../../src/logger';
import { issueOperatorKey } from '../../src/ops/operator-keys-repo';
import { SCOPES as ALL_SCOPES } from '../../src/tenancy/scopes';
import { REDIS_URL } from '../helpers/test-app';
import { SELFIE, startSimulatedGateway, type Simulated } from './support';

const STATE_PREFIX = `test:gw:providers:${Date.now()}`;
const logLines: string[] = [];
let gw: Simulated;
let operatorKey: string;
let operatorKeyId: string;
beforeAll(async () => {
  const sink = new Writable({ write: (chunk, _enc, done) => (logLines.push(String(chunk)), done()) });
  gw = await startSimulatedGateway({ statePrefix: STATE_PREFIX }, { logger: createLogger('info', sink) });
  ({ key: operatorKey, id: operatorKeyId } = await issueOperatorKey(gw.app.deps.db, gw.app.deps.keys, 'on-call'));
});
afterAll(() => gw?.close());
afterEach(async () => {
  if (!gw) return;
  gw.sims.accuauth.setFaults({ quotaExhausted: false });
  await gw.app.deps.gateway.accountHealth.restore('test', 'accuauth');
  await gw.app.deps.gateway.drains.restore('accuauth');
});

const SCOPES = ['verifications:write', 'customers:write', 'providers:view', 'routing:manage'] as const;
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
const accuauthOf = async (key: string, path = '/v1/providers') =>
  ((await call('GET', path, key)).body.data as Record<string, any>[]).find((p) => p.id === 'accuauth')!;
const audits = async (target: string) =>
  (
    await gw.app.deps.db.query<{ operator_key_id: string; action: string; reason: string; detail: Record<string, unknown> }>(
      'SELECT * FROM operator_audit WHERE target = $1 ORDER BY seq',
      [target],
    )
  ).rows;

describe("GET /v1/providers, the tenants' view", () => {
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
      drained: false,
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
    expect(accuauth.modes.test.account).toMatchObject({ state: 'quota_exhausted' });
    expect(Date.parse(accuauth.modes.test.account.until)).toBeGreaterThan(Date.now() + 60_000);
    expect(accuauth.modes.live.account).toBeNull();
  });

  it('when an operator drained a provider, then tenants see that it is drained, never who did it, from which org, or why', async () => {
    await call('POST', '/v1/ops/providers/accuauth/drain', operatorKey, { reason: 'vendor incident INC-7' });
    const t = await gw.tenant([...SCOPES]);
    const text = JSON.stringify(await accuauthOf(t.key));
    expect(JSON.parse(text).drained).toBe(true);
    expect(text).not.toMatch(/opk_|org_|key_|INC-7/);
  });

  it('when a key lacks providers:view, then 401 missing scope', async () => {
    const t = await gw.tenant(['verifications:write', 'customers:write']);
    const { status, body } = await call('GET', '/v1/providers', t.key);
    expect(status).toBe(401);
    expect(body.error.message).toBe('missing scope: providers:view');
  });
});

describe('operator routes refuse tenant keys', () => {
  const OPS_CALLS: Array<[string, string, unknown?]> = [
    ['GET', '/v1/ops/providers'],
    ['POST', '/v1/ops/providers/accuauth/drain', { reason: 'tenant trying to drain' }],
    ['POST', '/v1/ops/providers/accuauth/restore', { reason: 'tenant trying to restore' }],
    ['POST', '/v1/ops/providers/accuauth/end-cooldown', { reason: 'tenant trying to end it' }],
    ['POST', '/v1/ops/providers/accuauth/reset-breaker', { reason: 'tenant trying to reset it' }],
    ['GET', '/v1/ops/orgs'],
    ['POST', '/v1/ops/orgs', { name: 'x', reason: 'tenant making an org' }],
    ['POST', '/v1/ops/orgs/org_x/capabilities', { capabilities: ['dukcapil'], reason: 'tenant granting itself' }],
    ['GET', '/v1/ops/audit'],
  ];

  it('when a tenant key holding every scope there is calls any operator route, then 403 operator_key_required and nothing changes', async () => {
    const t = await gw.tenant([...ALL_SCOPES]);
    gw.sims.accuauth.setFaults({ quotaExhausted: true });
    await verify(t);
    const audited = (await audits('provider:accuauth')).length;
    for (const [method, path, body] of OPS_CALLS) {
      const res = await call(method, path, t.key, body);
      expect([path, res.status, res.body.error?.code]).toEqual([path, 403, 'operator_key_required']);
    }
    expect(await gw.app.deps.gateway.drains.drainOf('accuauth')).toBeNull();
    expect(await gw.app.deps.gateway.accountHealth.cooldownOf('test', 'accuauth')).not.toBeNull();
    expect((await audits('provider:accuauth')).length).toBe(audited);
  });

  it('when the old tenant drain route is called, then it no longer exists', async () => {
    const t = await gw.tenant([...ALL_SCOPES]);
    expect((await call('POST', '/v1/providers/accuauth/drain', t.key, { reason: 'vendor incident INC-42' })).status).toBe(404);
  });

  it('when an operator key is sent to a tenant route, then 403 operator_key_not_accepted', async () => {
    const res = await call('GET', '/v1/providers', operatorKey);
    expect(res).toMatchObject({ status: 403, body: { error: { code: 'operator_key_not_accepted' } } });
  });

  it('when an operator key is revoked or made up, then 401', async () => {
    const { key, id } = await issueOperatorKey(gw.app.deps.db, gw.app.deps.keys, 'leaver');
    await gw.app.deps.db.query('UPDATE operator_keys SET revoked_at = now() WHERE id = $1', [id]);
    expect((await call('GET', '/v1/ops/providers', key)).status).toBe(401);
    expect((await call('GET', '/v1/ops/providers', `vk_op_${'A'.repeat(44)}`)).status).toBe(401);
  });
});

describe('drain, restore, end a cooldown, reset a breaker: operators, audited', () => {
  it('when an operator drains a provider, then every instance skips it as drained, explain says so, it is audited, and restore brings it back', async () => {
    const t = await gw.tenant([...SCOPES]);
    const drained = await call('POST', '/v1/ops/providers/accuauth/drain', operatorKey, { reason: 'vendor incident INC-42' });
    expect(drained.status).toBe(200);
    expect(drained.body.provider.drained).toMatchObject({ reason: 'vendor incident INC-42', operatorKeyId });
    expect(drained.body.audit).toMatchObject({
      action: 'provider.drain',
      target: 'provider:accuauth',
      operatorKeyId,
      reason: 'vendor incident INC-42',
    });

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
    expect(explained.body.wouldTry.map((w: { provider: string }) => w.provider)).toEqual(['inhouse']);
    expect(explained.body.skipped).toContainEqual({ provider: 'accuauth', reason: 'drained', detail: expect.any(String) });

    const restored = await call('POST', '/v1/ops/providers/accuauth/restore', operatorKey, { reason: 'vendor incident INC-42 closed' });
    expect(restored.status).toBe(200);
    expect(restored.body.provider.drained).toBeNull();
    expect((await verify(t)).status).toBe(200);

    const rows = await audits('provider:accuauth');
    expect(rows.slice(-2).map((r) => [r.action, r.operator_key_id, r.reason, r.detail])).toEqual([
      ['provider.drain', operatorKeyId, 'vendor incident INC-42', { wasDrained: false }],
      ['provider.restore', operatorKeyId, 'vendor incident INC-42 closed', { wasDrained: true }],
    ]);
    const logged = logLines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'operator action' && l.target === 'provider:accuauth');
    expect(logged.at(-1)).toMatchObject({ audit: 'provider.restore', operatorKeyId, reason: 'vendor incident INC-42 closed' });
  });

  it('when the account is in cooldown after OUT_OF_QUOTA, then restore leaves it, and an operator ends it early, audited', async () => {
    const t = await gw.tenant([...SCOPES]);
    gw.sims.accuauth.setFaults({ quotaExhausted: true });
    await verify(t);
    gw.sims.accuauth.setFaults({ quotaExhausted: false });
    expect((await verify(t)).body.error.reasons[0]).toMatchObject({ provider: 'accuauth', reason: expect.stringMatching(/^account_/) });

    await call('POST', '/v1/ops/providers/accuauth/restore', operatorKey, { reason: 'restore does not end cooldowns' });
    expect(await gw.app.deps.gateway.accountHealth.cooldownOf('test', 'accuauth')).not.toBeNull();

    const ended = await call('POST', '/v1/ops/providers/accuauth/end-cooldown', operatorKey, {
      reason: 'quota topped up, ticket 881',
      mode: 'test',
    });
    expect(ended.status).toBe(200);
    expect(ended.body.audit).toMatchObject({ action: 'provider.end_cooldown', detail: { ended: { test: 'quota_exhausted' } } });
    expect(ended.body.provider.modes.test.account).toBeNull();
    expect((await verify(t)).status).toBe(200);
  });

  it('when an operator resets a breaker, then it is closed on that instance and audited', async () => {
    const res = await call('POST', '/v1/ops/providers/accuauth/reset-breaker', operatorKey, { reason: 'vendor confirmed recovery' });
    expect(res.status).toBe(200);
    expect(res.body.audit).toMatchObject({
      action: 'provider.reset_breaker',
      detail: { was: { test: 'closed', live: 'closed' }, scope: 'this_instance' },
    });
  });

  it('when the provider is unknown, the reason too short or a field unknown, then 404 and 400, and nothing is audited', async () => {
    const before = (await audits('provider:accuauth')).length;
    const unknown = await call('POST', '/v1/ops/providers/acme/drain', operatorKey, { reason: 'maintenance window' });
    expect(unknown.body.error).toMatchObject({ code: 'resource_not_found', message: 'provider "acme" not found', param: 'id' });
    const short = await call('POST', '/v1/ops/providers/accuauth/drain', operatorKey, { reason: 'oops' });
    expect(short.body.error).toMatchObject({ code: 'invalid_request', param: 'reason' });
    const missing = await call('POST', '/v1/ops/providers/accuauth/drain', operatorKey, {});
    expect(missing.body.error).toMatchObject({ code: 'invalid_request', param: 'reason' });
    const extra = await call('POST', '/v1/ops/providers/accuauth/drain', operatorKey, { reason: 'maintenance window', until: 'never' });
    expect(extra.body.error).toMatchObject({ code: 'invalid_request', param: 'until' });
    expect(await gw.app.deps.gateway.drains.drainOf('accuauth')).toBeNull();
    expect((await audits('provider:accuauth')).length).toBe(before);
  });

  it('when an operator lists the audit, then newest first with who, when and why; the table refuses UPDATE and DELETE', async () => {
    await call('POST', '/v1/ops/providers/lapis/drain', operatorKey, { reason: 'lapis maintenance 02:00' });
    await call('POST', '/v1/ops/providers/lapis/restore', operatorKey, { reason: 'lapis maintenance over' });
    const listed = await call('GET', '/v1/ops/audit?target=provider:lapis', operatorKey);
    expect(listed.body.data.map((a: { action: string }) => a.action)).toEqual(['provider.restore', 'provider.drain']);
    expect(listed.body.data[0]).toMatchObject({ operatorKeyId, reason: 'lapis maintenance over', at: expect.any(String) });
    await expect(gw.app.deps.db.query("UPDATE operator_audit SET reason = 'rewritten history'")).rejects.toThrow(/append-only/);
    await expect(gw.app.deps.db.query('DELETE FROM operator_audit')).rejects.toThrow(/append-only/);
  });
});

describe("orgs are an operator's", () => {
  it('when an operator creates an org and grants a capability, then both are audited and the org lists', async () => {
    const created = await call('POST', '/v1/ops/orgs', operatorKey, { name: 'Acme Finance', reason: 'contract signed, ticket 12' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ object: 'org', name: 'Acme Finance', capabilities: [], audit: { action: 'org.create' } });
    const granted = await call('POST', `/v1/ops/orgs/${created.body.id}/capabilities`, operatorKey, {
      capabilities: ['dukcapil'],
      reason: 'Dukcapil contract annex B',
    });
    expect(granted.body).toMatchObject({
      capabilities: ['dukcapil'],
      audit: { action: 'org.set_capabilities', target: `org:${created.body.id}` },
    });
    const orgs = await call('GET', '/v1/ops/orgs', operatorKey);
    expect(orgs.body.data.map((o: { id: string }) => o.id)).toContain(created.body.id);
    expect((await audits(`org:${created.body.id}`)).map((a) => a.action)).toEqual(['org.create', 'org.set_capabilities']);
    const unknown = await call('POST', '/v1/ops/orgs/org_nope/capabilities', operatorKey, { capabilities: [], reason: 'no such org here' });
    expect(unknown.status).toBe(404);
  });

  it('when an operator issues an org its first key, then the key works for that org only, its secret is shown once and never audited; revoked, it stops', async () => {
    const org = await call('POST', '/v1/ops/orgs', operatorKey, { name: 'PT Contoh', reason: 'onboarding, ticket 31' });
    const issued = await call('POST', `/v1/ops/orgs/${org.body.id}/keys`, operatorKey, {
      name: 'integration',
      mode: 'test',
      scopes: ['customers:write', 'keys:view'],
      reason: 'first key for PT Contoh',
    });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({
      object: 'api_key',
      mode: 'test',
      key: expect.stringMatching(/^vk_test_/),
      hmacKey: expect.any(String),
    });
    expect(issued.body.audit).toMatchObject({ action: 'org.issue_key', target: `org:${org.body.id}` });
    expect(JSON.stringify(await audits(`org:${org.body.id}`))).not.toContain(issued.body.key);

    const customer = await call('POST', '/v1/customers', issued.body.key, { externalRef: 'first-customer' });
    expect(customer.status).toBe(201);
    const listed = await call('GET', `/v1/ops/orgs/${org.body.id}/keys`, operatorKey);
    expect(listed.body.data).toEqual([expect.objectContaining({ id: issued.body.id, revokedAt: null })]);
    expect(JSON.stringify(listed.body)).not.toContain(issued.body.key);

    const revoked = await call('POST', `/v1/ops/orgs/${org.body.id}/keys/${issued.body.id}/revoke`, operatorKey, {
      reason: 'key leaked in a ticket',
    });
    expect(revoked.body).toMatchObject({ id: issued.body.id, revokedAt: expect.any(String), audit: { action: 'org.revoke_key' } });
    expect((await call('POST', '/v1/customers', issued.body.key, { externalRef: 'after-revoke' })).status).toBe(401);

    // Another org's key id, or a tenant key asking: refused.
    expect(
      (
        await call('POST', `/v1/ops/orgs/org_nope/keys`, operatorKey, {
          name: 'x',
          mode: 'test',
          scopes: ['customers:write'],
          reason: 'no such org here',
        })
      ).status,
    ).toBe(404);
    const tenant = await gw.app.tenant(['keys:write']);
    expect((await call('GET', `/v1/ops/orgs/${org.body.id}/keys`, tenant.key)).status).toBe(403);
  });
});
