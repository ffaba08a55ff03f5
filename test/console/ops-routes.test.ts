import { issueOperatorKey } from '../../src/ops/operator-keys-repo';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { plantCapture } from './support';

/** The operator routes the console reads besides providers: the review queue and the platform's usage. */
let app: TestApp;
let operatorKey: string;
beforeAll(async () => {
  app = await startTestApp();
  operatorKey = (await issueOperatorKey(app.deps.db, app.deps.keys, 'ops routes test')).key;
}, 60_000);
afterAll(() => app?.close());

async function call(route: string, key = operatorKey) {
  const res = await app.request('GET', route, { key });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function tenantWithCustomer() {
  const t = await app.tenant(['customers:write', 'usage:view']);
  const res = await app.request('POST', '/v1/customers', { key: t.key, body: { externalRef: `ref-${t.orgId}` } });
  return { ...t, customerId: ((await res.json()) as { id: string }).id };
}

describe('operator routes for the console', () => {
  it('when captures of two orgs need review, then /v1/ops/reviews lists them newest first with their voters, and nothing else', async () => {
    const a = await tenantWithCustomer();
    const b = await tenantWithCustomer();
    const first = await plantCapture(app.deps, a, 'requires_review');
    await plantCapture(app.deps, a, 'passed');
    const second = await plantCapture(app.deps, b, 'requires_review');
    const { status, body } = await call('/v1/ops/reviews');
    expect(status).toBe(200);
    expect(body.data.map((c: Record<string, unknown>) => [c.id, c.orgId])).toEqual([
      [second, b.orgId],
      [first, a.orgId],
    ]);
    expect(body.data[0]).toMatchObject({
      object: 'capture_review',
      status: 'requires_review',
      antiSpoof: {
        fused: 'uncertain',
        voters: [expect.objectContaining({ name: 'flash_response', verdict: 'uncertain' }), expect.anything()],
      },
    });
    expect(Object.keys(body.data[0]).sort()).toEqual([
      'antiSpoof',
      'createdAt',
      'customerId',
      'id',
      'kind',
      'object',
      'orgId',
      'status',
      'tamper',
    ]);
  });

  it('when a tenant key asks for operator views, then it is refused whatever its scopes', async () => {
    const t = await app.tenant(['usage:view', 'usage:manage']);
    for (const route of ['/v1/ops/reviews', '/v1/ops/usage', '/v1/ops/usage/entries?charged=unknown']) {
      const { status, body } = await call(route, t.key);
      expect([status, body.error.code]).toEqual([403, 'operator_key_required']);
    }
  });

  it('when the platform usage is read with a period, then it answers every org grouped by day and by org, and a bad day is a 400', async () => {
    const { status, body } = await call('/v1/ops/usage?from=2026-01-01&to=2026-01-31');
    expect(status).toBe(200);
    expect(body).toMatchObject({ object: 'list', from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z', data: [], byOrg: [] });
    const bad = await call('/v1/ops/usage?from=yesterday');
    expect([bad.status, bad.body.error.code, bad.body.error.param]).toEqual([400, 'invalid_request', 'from']);
  });
});
