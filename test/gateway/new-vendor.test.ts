import path from 'node:path';
import { ADAPTERS } from '../../adapters';
import { ACCUAUTH_SANDBOX } from '../../adapters/accuauth/simulator';
import { createRegistry } from '../../src/gateway/registry';
import { nusa } from '../fixtures/vendors/nusa';
import { ledgerCounts, startSimulatedGateway, type Simulated } from './support';

/**
 * A vendor declared only in a test folder (test/fixtures/vendors/nusa: a declaration, a simulator and its
 * mapping rows) reaches every part of the gateway through its declaration alone: routing, input checks,
 * the mapping table, breakers, the ledger at its list price, the providers view and its simulator.
 */
let gw: Simulated;
beforeAll(async () => {
  gw = await startSimulatedGateway(
    { registry: createRegistry([...ADAPTERS, nusa]) },
    { errorMapFiles: [path.join(__dirname, '..', 'fixtures', 'vendors', 'nusa', 'error-map.json')] },
  );
});
afterAll(() => gw?.close());

const NIK = ACCUAUTH_SANDBOX.plain;
const SCOPES = ['verifications:write', 'verifications:view', 'customers:write', 'usage:view', 'routing:manage', 'providers:view'] as const;

async function call(key: string, method: string, route: string, body?: unknown) {
  const res = await gw.app.request(method, route, { key, body });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const nameCheck = (customerId: string, name: string, provider = 'auto') => ({
  customerId,
  check: 'name_check',
  provider,
  input: { idNumber: NIK, name },
});

describe('a vendor declared in a test folder', () => {
  it('when a verification pins it, then its simulator answers, its row classifies the answer and the ledger books its list price', async () => {
    const t = await gw.tenant([...SCOPES]);
    const { status, body } = await call(t.key, 'POST', '/v1/verifications', nameCheck(t.customerId, 'Budi Santoso', 'nusa'));
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'passed', provider: 'nusa', result: { code: 'identity_match', data: { match: 'YES' } } });
    expect(body.attempts).toEqual([
      expect.objectContaining({ provider: 'nusa', operation: 'name_match', suiteCode: 'identity_match', charged: 'charged' }),
    ]);
    const { rows } = await gw.app.deps.db.query<{ provider: string; operation: string; charged: string; unit_price: number; currency: string }>(
      'SELECT provider, operation, charged, unit_price::float8 AS unit_price, currency FROM ledger_entries WHERE org_id = $1',
      [t.orgId],
    );
    expect(rows).toEqual([{ provider: 'nusa', operation: 'name_match', charged: 'charged', unit_price: 2500, currency: 'IDR' }]);
    expect(gw.sims.nusa?.billing()).toMatchObject({ totalCalls: 1, totalCharged: 1 });
  });

  it('when an org routes name_check to it first, then auto picks it, and its free "unknown id" fails over to AccuAuth', async () => {
    const t = await gw.tenant([...SCOPES]);
    const policy = { checks: { name_check: [{ provider: 'nusa' }, { provider: 'accuauth' }] } };
    expect((await call(t.key, 'PUT', '/v1/routing/policy', policy)).status).toBe(200);

    const first = await call(t.key, 'POST', '/v1/verifications', nameCheck(t.customerId, 'Budi Santoso'));
    expect(first.body).toMatchObject({ status: 'passed', provider: 'nusa' });

    const second = await call(t.key, 'POST', '/v1/verifications', nameCheck(t.customerId, 'Nobody'));
    expect(second.body.attempts.map((a: Record<string, unknown>) => [a.provider, a.suiteCode, a.charged])).toEqual([
      ['nusa', 'identity_not_found', 'free'],
      ['accuauth', 'identity_match', 'charged'],
    ]);
    expect(await ledgerCounts(gw.app, t.orgId)).toEqual({ charged: 2, free: 1, unknown: 0, total: 3 });
  });

  it('when it answers its outage or something it never documented, then its own rows and the shared transport rows decide', async () => {
    const t = await gw.tenant([...SCOPES]);
    const outage = await call(t.key, 'POST', '/v1/verifications', nameCheck(t.customerId, 'Outage', 'nusa'));
    expect(outage.status).toBe(503);
    expect(outage.body.error).toMatchObject({ code: 'provider_unavailable', provider: 'nusa', charged: 'free' });

    const teapot = await call(t.key, 'POST', '/v1/verifications', nameCheck(t.customerId, 'Teapot', 'nusa'));
    expect(teapot.body.error).toMatchObject({ code: 'upstream_unmapped', provider: 'nusa', charged: 'unknown' });
    expect(await ledgerCounts(gw.app, t.orgId)).toEqual({ charged: 0, free: 1, unknown: 1, total: 2 });
  });

  it('when ops and integrators look, then the providers view, the mapping table and explain all know it', async () => {
    const t = await gw.tenant([...SCOPES]);
    const providers = await call(t.key, 'GET', '/v1/providers');
    expect(providers.body.data.find((p: { id: string }) => p.id === 'nusa')).toMatchObject({
      displayName: 'Nusa ID (test fixture)',
      checks: ['name_check'],
      operations: [{ name: 'name_match', serves: 'name_check' }],
      modes: { test: { breaker: 'closed' }, live: { breaker: 'closed' } },
    });
    const table = await gw.app.request('GET', '/mapping-table?provider=nusa');
    const rows = ((await table.json()) as { data: { suiteCode: string; match: Record<string, unknown> }[] }).data;
    expect(rows.map((r) => r.suiteCode)).toEqual(expect.arrayContaining(['identity_match', 'provider_unavailable', 'provider_timeout']));
    const explain = await call(t.key, 'POST', '/v1/routing/explain', { check: 'name_check', provider: 'nusa' });
    expect(explain.body.wouldTry).toEqual([expect.objectContaining({ provider: 'nusa', operation: 'name_match' })]);
  });

  it('when the input does not fit its schema, then it is refused before any call, naming the field', async () => {
    const t = await gw.tenant([...SCOPES]);
    const before = gw.sims.nusa?.billing().totalCalls;
    const { status, body } = await call(t.key, 'POST', '/v1/verifications', {
      ...nameCheck(t.customerId, 'Budi', 'nusa'),
      input: { idNumber: '123', name: 'Budi' },
    });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'invalid_request', param: 'input.idNumber' });
    expect(gw.sims.nusa?.billing().totalCalls).toBe(before);
  });
});
