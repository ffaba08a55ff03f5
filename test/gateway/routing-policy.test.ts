import { ACCUAUTH_SANDBOX } from '../../adapters/accuauth/simulator';
import { loadRoutingPolicy } from '../../src/gateway/routing';
import { effectivePolicy, planRoutes, type EffectivePolicy } from '../../src/gateway/routing-policy';
import { SELFIE, startSimulatedGateway, type Simulated } from './support';

let gw: Simulated;
beforeAll(async () => {
  gw = await startSimulatedGateway();
});
afterAll(() => gw?.close());

const MATCH_NIK = ACCUAUTH_SANDBOX.results['01']!; // province digits 32
const ALL_SCOPES = [
  'verifications:write',
  'verifications:view',
  'customers:write',
  'usage:view',
  'routing:manage',
  'providers:view',
] as const;

async function call(method: string, path: string, key: string, body?: unknown) {
  const res = await gw.app.request(method, path, { key, body });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('routing policy per org', () => {
  it('when an org has no policy, then GET answers the defaults of config/routing.json', async () => {
    const t = await gw.tenant([...ALL_SCOPES]);
    const { status, body } = await call('GET', '/v1/routing/policy', t.key);
    expect(status).toBe(200);
    expect(body).toMatchObject({ object: 'routing_policy', source: 'default', allowFailoverAfterUnknown: false, updatedAt: null });
    expect(body.checks.identity_selfie).toEqual([
      { provider: 'accuauth', priority: 1, weight: 1 },
      { provider: 'inhouse', priority: 2, weight: 1 },
    ]);
    expect(body.checks.document).toEqual([
      { provider: 'inhouse', priority: 1, weight: 1 },
      { provider: 'lapis', priority: 2, weight: 1 },
    ]);
  });

  it('when the PUT names an unknown check, an unknown provider or one that cannot serve the check, then 400 names it', async () => {
    const t = await gw.tenant([...ALL_SCOPES]);
    const put = (checks: unknown) => call('PUT', '/v1/routing/policy', t.key, { checks });

    const unknownCheck = await put({ selfie_magic: [{ provider: 'accuauth' }] });
    expect(unknownCheck.status).toBe(400);
    expect(unknownCheck.body.error).toMatchObject({ code: 'invalid_request', param: 'checks.selfie_magic' });
    expect(unknownCheck.body.error.message).toContain('selfie_magic');

    const unknownProvider = await put({ identity_selfie: [{ provider: 'acme' }] });
    expect(unknownProvider.status).toBe(400);
    expect(unknownProvider.body.error).toMatchObject({ code: 'invalid_request', param: 'checks.identity_selfie.0.provider' });
    expect(unknownProvider.body.error.message).toContain('unknown provider "acme"');

    const cannotServe = await put({ identity_selfie: [{ provider: 'accuauth' }, { provider: 'lapis' }] });
    expect(cannotServe.status).toBe(400);
    expect(cannotServe.body.error).toMatchObject({ param: 'checks.identity_selfie.1.provider' });
    expect(cannotServe.body.error.message).toBe('invalid request: provider lapis cannot serve check identity_selfie');

    const badCondition = await put({ identity_selfie: [{ provider: 'accuauth', when: { nikProvinceIn: ['3'] } }] });
    expect(badCondition.status).toBe(400);
    expect(badCondition.body.error.param).toBe('checks.identity_selfie.0.when.nikProvinceIn.0');

    // Nothing was stored by the refused PUTs.
    expect((await call('GET', '/v1/routing/policy', t.key)).body.source).toBe('default');
  });

  it('when a key lacks routing:manage, then the policy endpoints answer missing scope', async () => {
    const t = await gw.tenant(['verifications:write', 'customers:write']);
    const { status, body } = await call('GET', '/v1/routing/policy', t.key);
    expect(status).toBe(401);
    expect(body.error).toMatchObject({ code: 'missing_scope', message: 'missing scope: routing:manage' });
  });

  it('when the org policy requires a KTP image, then a verification without one is refused with the reason and one with it runs', async () => {
    const t = await gw.tenant([...ALL_SCOPES]);
    const saved = await call('PUT', '/v1/routing/policy', t.key, {
      allowFailoverAfterUnknown: true,
      checks: { identity_selfie: [{ provider: 'accuauth', when: { inputHas: ['ktpImage'] } }] },
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ source: 'org', allowFailoverAfterUnknown: true });
    // Checks the org left out keep the defaults.
    expect(saved.body.checks.document).toEqual([
      { provider: 'inhouse', priority: 1, weight: 1 },
      { provider: 'lapis', priority: 2, weight: 1 },
    ]);
    const read = await call('GET', '/v1/routing/policy', t.key);
    expect(read.body).toMatchObject({
      source: 'org',
      checks: { identity_selfie: [{ provider: 'accuauth', when: { inputHas: ['ktpImage'] } }] },
    });
    expect(typeof read.body.updatedAt).toBe('string');

    const before = gw.sims.accuauth.billing().totalCalls;
    const refused = await call('POST', '/v1/verifications', t.key, {
      customerId: t.customerId,
      check: 'identity_selfie',
      input: { idNumber: MATCH_NIK, faceImage: SELFIE },
    });
    expect(refused.status).toBe(503);
    expect(refused.body.error.reasons).toEqual([{ provider: 'accuauth', outcome: 'skipped', reason: 'condition_not_met' }]);
    expect(gw.sims.accuauth.billing().totalCalls).toBe(before);

    const ran = await call('POST', '/v1/verifications', t.key, {
      customerId: t.customerId,
      check: 'identity_selfie',
      input: { idNumber: MATCH_NIK, faceImage: SELFIE, ktpImage: SELFIE },
    });
    expect(ran.status).toBe(200);
    expect(ran.body).toMatchObject({ status: 'passed', provider: 'accuauth' });
  });

  it('when explain is asked, then it lists the order and why every other provider is skipped', async () => {
    const t = await gw.tenant([...ALL_SCOPES]);
    await call('PUT', '/v1/routing/policy', t.key, {
      checks: { identity_selfie: [{ provider: 'accuauth', when: { nikProvinceIn: ['31', '32'] } }] },
    });
    const west = await call('POST', '/v1/routing/explain', t.key, { check: 'identity_selfie', input: { idNumber: MATCH_NIK } });
    expect(west.status).toBe(200);
    expect(west.body).toMatchObject({ object: 'routing_explanation', policySource: 'org', livemode: false });
    expect(west.body.wouldTry).toEqual([
      { order: 1, provider: 'accuauth', operation: 'id_selfie', priority: 1, weight: 1, breaker: 'closed' },
    ]);
    expect(west.body.skipped).toEqual([
      { provider: 'idenfy', reason: 'cannot_serve', detail: 'no operation of idenfy serves identity_selfie' },
      { provider: 'lapis', reason: 'cannot_serve', detail: 'no operation of lapis serves identity_selfie' },
      { provider: 'inhouse', reason: 'not_in_policy' },
    ]);

    const bali = await call('POST', '/v1/routing/explain', t.key, {
      check: 'identity_selfie',
      input: { idNumber: `51${MATCH_NIK.slice(2)}` },
    });
    expect(bali.body.wouldTry).toEqual([]);
    expect(bali.body.skipped).toContainEqual({
      provider: 'accuauth',
      reason: 'condition_not_met',
      detail: 'NIK province not in nikProvinceIn',
    });
    // The reason names the rule, never the NIK.
    expect(JSON.stringify(bali.body)).not.toContain(MATCH_NIK.slice(2));

    const pinned = await call('POST', '/v1/routing/explain', t.key, { check: 'document', provider: 'lapis' });
    expect(pinned.body).toMatchObject({ policySource: 'pinned', wouldTry: [{ provider: 'lapis', operation: 'document_upload' }] });
    expect(pinned.body.skipped).toContainEqual({
      provider: 'accuauth',
      reason: 'cannot_serve',
      detail: 'no operation of accuauth serves document',
    });

    const badCheck = await call('POST', '/v1/routing/explain', t.key, { check: 'palm_reading' });
    expect(badCheck.status).toBe(400);
    expect(badCheck.body.error).toMatchObject({ code: 'invalid_request', param: 'check' });
    expect(badCheck.body.error.message).toContain('palm_reading');
    const wrongPin = await call('POST', '/v1/routing/explain', t.key, { check: 'document', provider: 'accuauth' });
    expect(wrongPin.status).toBe(400);
    expect(wrongPin.body.error).toMatchObject({
      param: 'provider',
      message: 'invalid request: provider accuauth cannot serve check document',
    });
  });
});

describe('priority and weights', () => {
  // Three routes for one check, whatever the adapters serve today: the ordering itself is what is tested.
  const policy: EffectivePolicy = {
    source: 'org',
    allowFailoverAfterUnknown: false,
    checks: {
      identity_selfie: [
        { provider: 'idenfy', priority: 2, weight: 1 },
        { provider: 'accuauth', priority: 1, weight: 3 },
        { provider: 'lapis', priority: 1, weight: 1 },
      ],
    },
  };

  it('when providers share a priority, then first place is drawn by weight and a lower priority always comes after', () => {
    let random = 1;
    const firsts = { accuauth: 0, lapis: 0 };
    const draw = () => (random = (random * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 4000; i += 1) {
      const order = planRoutes(policy, 'identity_selfie', {}, draw).map((r) => r.provider);
      expect(order[2]).toBe('idenfy');
      firsts[order[0] as 'accuauth' | 'lapis'] += 1;
    }
    // Weight 3 against 1: first three times in four.
    expect(firsts.accuauth / 4000).toBeGreaterThan(0.7);
    expect(firsts.accuauth / 4000).toBeLessThan(0.8);
  });

  it('when an org policy omits priorities, then the list order is the priority', () => {
    const effective = effectivePolicy(loadRoutingPolicy(), {
      checks: { name_check: [{ provider: 'accuauth', weight: 1 }] },
    });
    expect(effective.checks.name_check).toEqual([{ provider: 'accuauth', priority: 1, weight: 1 }]);
  });
});
