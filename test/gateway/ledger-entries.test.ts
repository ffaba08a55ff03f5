import { ACCUAUTH_SANDBOX } from '../../adapters/accuauth/simulator';
import { loadBreakersConfig } from '../../src/gateway/breakers';
import { ledgerCounts, SELFIE, startSimulatedGateway, type Simulated } from './support';

let gw: Simulated;
beforeAll(async () => {
  // Timeouts are the point here: the breaker must not open midway and turn them into skips.
  const settings = loadBreakersConfig();
  gw = await startSimulatedGateway({ breakerSettings: { ...settings, accuauth: { ...settings.accuauth!, errorThresholdPercentage: 100 } } });
});
afterAll(() => gw?.close());
afterEach(() => gw?.sims.accuauth.setFaults({ hangAfterReceive: false }));

const SCOPES = ['verifications:write', 'customers:write', 'usage:view', 'usage:manage'] as const;

async function call(method: string, path: string, key: string, body?: unknown) {
  const res = await gw.app.request(method, path, { key, body });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** One charged call and two whose charge is unknown (the simulator read them and never answered). */
async function seed(t: { key: string; customerId: string }) {
  const verify = () =>
    call('POST', '/v1/verifications', t.key, {
      customerId: t.customerId,
      check: 'identity_selfie',
      input: { idNumber: ACCUAUTH_SANDBOX.results['01']!, faceImage: SELFIE },
    });
  await verify();
  gw.sims.accuauth.setFaults({ hangAfterReceive: true });
  await verify();
  await verify();
  gw.sims.accuauth.setFaults({ hangAfterReceive: false });
}

describe('ledger entries and resolving unknown rows', () => {
  it('when finance lists unknown entries, then they come in cursor pages and only the org’s own', async () => {
    const t = await gw.tenant([...SCOPES]);
    const other = await gw.tenant([...SCOPES]);
    await seed(t);
    await seed(other);
    const first = await call('GET', '/v1/usage/entries?charged=unknown&limit=1', t.key);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ object: 'list', hasMore: true });
    expect(first.body.data).toEqual([
      expect.objectContaining({
        object: 'ledger_entry',
        charged: 'unknown',
        provider: 'accuauth',
        suiteCode: 'provider_timeout',
        resolution: null,
      }),
    ]);
    const second = await call('GET', `/v1/usage/entries?charged=unknown&limit=1&startingAfter=${first.body.nextCursor}`, t.key);
    expect(second.body).toMatchObject({ hasMore: false, nextCursor: null });
    expect(second.body.data[0].id).not.toBe(first.body.data[0].id);
    expect(second.body.data[0].customerId).toBe(t.customerId);

    const all = await call('GET', '/v1/usage/entries', t.key);
    expect(all.body.data.map((e: { charged: string }) => e.charged)).toEqual(['charged', 'unknown', 'unknown']);

    const badCursor = await call('GET', `/v1/usage/entries?startingAfter=${first.body.nextCursor}`, other.key);
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.error.param).toBe('startingAfter');
    const badFilter = await call('GET', '/v1/usage/entries?charged=maybe', t.key);
    expect(badFilter.body.error).toMatchObject({ code: 'invalid_request', param: 'charged' });
  });

  it('when an unknown entry is resolved, then it changes once, usage follows, and who, when and why are kept', async () => {
    const t = await gw.tenant([...SCOPES]);
    await seed(t);
    const [unknownA, unknownB] = (await call('GET', '/v1/usage/entries?charged=unknown', t.key)).body.data as { id: string }[];
    const resolved = await call('POST', `/v1/usage/entries/${unknownA!.id}/resolve`, t.key, {
      charged: 'charged',
      note: 'AccuAuth invoice 2024-07 line 118',
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({
      id: unknownA!.id,
      charged: 'charged',
      resolution: { from: 'unknown', note: 'AccuAuth invoice 2024-07 line 118', resolvedBy: expect.stringMatching(/^key_/) },
    });
    expect(Date.parse(resolved.body.resolution.resolvedAt)).toBeLessThanOrEqual(Date.now());
    await call('POST', `/v1/usage/entries/${unknownB!.id}/resolve`, t.key, { charged: 'free', note: 'not on the AccuAuth invoice' });
    expect(await ledgerCounts(gw.app, t.orgId)).toEqual({ charged: 2, free: 1, unknown: 0, total: 3 });

    const again = await call('POST', `/v1/usage/entries/${unknownA!.id}/resolve`, t.key, { charged: 'free', note: 'second thoughts here' });
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({
      code: 'invalid_request',
      param: 'id',
      message: 'invalid request: ledger entry is already charged; only unknown entries can be resolved',
    });
    const usage = await call('GET', '/v1/usage', t.key);
    expect(usage.body.data[0]).toMatchObject({ charged: 2, free: 1, unknown: 0 });
  });

  it('when the note is short, the entry another org’s or the key read-only, then 400, 404 and 401', async () => {
    const t = await gw.tenant([...SCOPES]);
    await seed(t);
    const [entry] = (await call('GET', '/v1/usage/entries?charged=unknown', t.key)).body.data as { id: string }[];
    const short = await call('POST', `/v1/usage/entries/${entry!.id}/resolve`, t.key, { charged: 'free', note: 'ok' });
    expect(short.body.error).toMatchObject({ code: 'invalid_request', param: 'note' });
    const other = await gw.tenant([...SCOPES]);
    const foreign = await call('POST', `/v1/usage/entries/${entry!.id}/resolve`, other.key, {
      charged: 'free',
      note: 'not on the invoice',
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error).toMatchObject({ code: 'resource_not_found', message: 'ledger entry not found' });
    const viewer = await gw.tenant(['usage:view']);
    const readOnly = await call('POST', `/v1/usage/entries/${entry!.id}/resolve`, viewer.key, {
      charged: 'free',
      note: 'not on the invoice',
    });
    expect(readOnly.body.error).toMatchObject({ code: 'missing_scope', message: 'missing scope: usage:manage' });
    expect((await ledgerCounts(gw.app, t.orgId)).unknown).toBe(2);
  });
});
