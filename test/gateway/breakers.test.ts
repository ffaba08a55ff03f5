import { ACCUAUTH_SANDBOX } from '../../adapters/accuauth/simulator';
import { AppError } from '../../src/errors/app-error';
import { Breakers, loadBreakersConfig, type BreakerSettings, type BreakersConfig } from '../../src/gateway/breakers';
import type { Attempt } from '../../src/gateway/attempt';
import { runChain, type CandidateOutcome } from '../../src/gateway/failover';
import { tryCandidate, type InvokeDeps } from '../../src/gateway/invoke';
import { issueKey } from '../../src/tenancy/keys-repo';
import { ledgerCounts, SELFIE, startSimulatedGateway, type Simulated } from './support';

/** Breaker cases C1-C11 of reliability-and-performance.md A10, against Breakers with a counting stand-in upstream. */

const settings = (s: Partial<BreakerSettings>): BreakersConfig => {
  const base = { ...loadBreakersConfig().accuauth!, ...s };
  return { accuauth: base, idenfy: base, lapis: base, inhouse: base };
};

type Outcome = 'ok' | 'health_failure' | 'mismatch';

function upstream() {
  const u = {
    calls: 0,
    call: (outcome: Outcome) => async () => {
      u.calls += 1;
      return outcome;
    },
  };
  return u;
}

const isHealthFailure = (o: Outcome) => o === 'health_failure';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('one breaker per provider counting only health failures', () => {
  let breakers: Breakers;
  afterEach(() => breakers.shutdown());

  const fire = (u: ReturnType<typeof upstream>, outcome: Outcome) => breakers.run('test', 'accuauth', u.call(outcome), isHealthFailure);

  it('C1: when 9 of 20 calls fail at a 50 % threshold with volumeThreshold 20, then it stays closed', async () => {
    breakers = new Breakers(settings({ errorThresholdPercentage: 50, volumeThreshold: 20 }));
    const u = upstream();
    for (let i = 0; i < 11; i++) await fire(u, 'ok');
    for (let i = 0; i < 9; i++) await fire(u, 'health_failure');
    expect(breakers.state('test', 'accuauth')).toBe('closed');
  });

  it('C2: when 11 of 20 fail, then it opens and the next call is refused without reaching upstream', async () => {
    breakers = new Breakers(settings({ errorThresholdPercentage: 50, volumeThreshold: 20 }));
    const u = upstream();
    for (let i = 0; i < 9; i++) await fire(u, 'ok');
    for (let i = 0; i < 11; i++) await fire(u, 'health_failure');
    expect(breakers.state('test', 'accuauth')).toBe('open');
    const calls = u.calls;
    expect(await fire(u, 'ok')).toEqual({ ran: false, reason: 'breaker_open' });
    expect(u.calls).toBe(calls);
  });

  it('C3: when the first 5 calls fail under volumeThreshold 10, then it stays closed', async () => {
    breakers = new Breakers(settings({ volumeThreshold: 10 }));
    const u = upstream();
    for (let i = 0; i < 5; i++) await fire(u, 'health_failure');
    expect(breakers.state('test', 'accuauth')).toBe('closed');
  });

  it('C4 and C5: when the reset timeout passes, then one trial goes through; a failed trial reopens it', async () => {
    breakers = new Breakers(settings({ volumeThreshold: 1, resetTimeoutMs: 100 }));
    const u = upstream();
    await fire(u, 'health_failure');
    expect(breakers.state('test', 'accuauth')).toBe('open');
    await sleep(150);
    expect(breakers.state('test', 'accuauth')).toBe('half_open');
    const before = u.calls;
    const results = await Promise.all(Array.from({ length: 10 }, () => fire(u, 'health_failure')));
    expect(u.calls - before).toBe(1);
    expect(results.filter((r) => !r.ran)).toHaveLength(9);
    expect(breakers.state('test', 'accuauth')).toBe('open');
    await sleep(150);
    expect(breakers.state('test', 'accuauth')).toBe('half_open');
    await fire(u, 'ok');
    expect(breakers.state('test', 'accuauth')).toBe('closed');
  });

  it('C6: when every answer is a verdict or bad input (breaker: false), then it never opens', async () => {
    breakers = new Breakers(settings({ volumeThreshold: 1 }));
    const u = upstream();
    for (let i = 0; i < 20; i++) await fire(u, 'mismatch');
    expect(breakers.state('test', 'accuauth')).toBe('closed');
  });

  it('C7: when an adapter refuses the input (no call) during half-open, then the circuit closes (opossum quirk, pinned)', async () => {
    breakers = new Breakers(settings({ volumeThreshold: 1, resetTimeoutMs: 50 }));
    const u = upstream();
    await fire(u, 'health_failure');
    await sleep(80);
    const refused = breakers.run(
      'test',
      'accuauth',
      async () => {
        throw new AppError('invalid_request', { params: { detail: 'image too large' } });
      },
      isHealthFailure,
    );
    await expect(refused).rejects.toMatchObject({ code: 'invalid_request' });
    // The refusal is filtered (not a health failure), which opossum treats as a success: it closes.
    expect(breakers.state('test', 'accuauth')).toBe('closed');
  });

  it('C9: when one call times out on its own signal, then sibling calls in flight are not aborted', async () => {
    breakers = new Breakers(settings({}));
    const aborted: boolean[] = [];
    const call = (ms: number, timeoutMs: number) => () =>
      new Promise<Outcome>((resolve) => {
        const signal = AbortSignal.timeout(timeoutMs);
        const timer = setTimeout(() => {
          aborted.push(false);
          resolve('ok');
        }, ms);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          aborted.push(true);
          resolve('health_failure');
        });
      });
    const results = await Promise.all([
      breakers.run('test', 'accuauth', call(500, 50), isHealthFailure),
      ...Array.from({ length: 5 }, () => breakers.run('test', 'accuauth', call(80, 1000), isHealthFailure)),
    ]);
    expect(aborted.filter(Boolean)).toHaveLength(1);
    expect(results.map((r) => r.ran && r.value)).toEqual(['health_failure', 'ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it('C10: when a 6th call arrives at capacity 5, then it is refused at once and does not count as a failure', async () => {
    breakers = new Breakers(settings({ capacity: 5, volumeThreshold: 1 }));
    const slow = () => sleep(100).then(() => 'ok' as Outcome);
    const results = await Promise.all(Array.from({ length: 6 }, () => breakers.run('test', 'accuauth', slow, isHealthFailure)));
    expect(results.filter((r) => !r.ran)).toEqual([{ ran: false, reason: 'breaker_saturated' }]);
    expect(breakers.state('test', 'accuauth')).toBe('closed');
  });

  it('when the sandbox breaker opens, then the live breaker of the same provider stays closed', async () => {
    breakers = new Breakers(settings({ volumeThreshold: 1 }));
    await fire(upstream(), 'health_failure');
    expect(breakers.state('test', 'accuauth')).toBe('open');
    expect(breakers.state('live', 'accuauth')).toBe('closed');
  });
});

describe('breakers, account health and credentials through the simulators', () => {
  let gw: Simulated;
  beforeAll(async () => {
    gw = await startSimulatedGateway({
      breakerSettings: settings({ volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 60_000 }),
      env: {},
    });
  });
  afterAll(() => gw?.close());

  const verify = (key: string, customerId: string, nik: string) =>
    gw.app.request('POST', '/v1/verifications', {
      key,
      body: { customerId, check: 'identity_selfie', input: { idNumber: nik, faceImage: SELFIE } },
    });

  it('C8: when AccuAuth hangs, then the call is aborted at its timeout and its ledger row is unknown', async () => {
    const t = await gw.tenant();
    gw.sims.accuauth.setFaults({ hangAfterReceive: true });
    const res = await verify(t.key, t.customerId, ACCUAUTH_SANDBOX.plain);
    gw.sims.accuauth.setFaults({ hangAfterReceive: false });
    const body = (await res.json()) as any;
    expect(body.error).toMatchObject({ code: 'provider_timeout', charged: 'unknown', upstream: null });
    expect(body.error.attempts[0].latencyMs).toBeLessThan(1500);
    expect(await ledgerCounts(gw.app, t.orgId)).toMatchObject({ unknown: 1, total: 1 });
  });

  it('C11: when the first provider\u2019s breaker is open, then it is skipped without a call and the second answers', async () => {
    const t = await gw.tenant();
    for (let i = 0; i < 3; i++) await verify(t.key, t.customerId, ACCUAUTH_SANDBOX.results['06']!);
    expect(gw.app.deps.gateway.breakers.state('test', 'accuauth')).toBe('open');
    const calls = gw.sims.accuauth.billing().totalCalls;

    const res = await verify(t.key, t.customerId, ACCUAUTH_SANDBOX.plain);
    expect(res.status).toBe(503);
    expect(((await res.json()) as any).error).toMatchObject({
      code: 'provider_unavailable',
      reasons: [
        { provider: 'accuauth', outcome: 'skipped', reason: 'breaker_open' },
        { provider: 'inhouse', outcome: 'skipped', reason: 'input_not_accepted' },
      ],
    });

    const d = gw.app.deps;
    const deps: InvokeDeps = { ...d.gateway, errorMap: d.errorMap, providers: d.providers, logger: d.logger };
    const secondAnswer: CandidateOutcome = {
      tried: true,
      attempt: { provider: 'lapis', charged: 'charged', final: true, failover: false, kind: 'result' } as Attempt,
    };
    const call = {
      check: 'identity_selfie' as const,
      keyMode: 'test' as const,
      // A valid identity_selfie input: a provider is read its input before anything else, so `{}` would be refused first.
      input: { idNumber: ACCUAUTH_SANDBOX.plain, faceImage: SELFIE },
      meta: { customerId: 'c', verificationId: 'v', now: new Date() },
      writeAhead: async () => undefined,
      settle: () => undefined,
      withdraw: async () => undefined,
    };
    const chain = await runChain(
      [
        { provider: 'accuauth', operation: 'id_selfie' },
        { provider: 'lapis', operation: 'stand_in' },
      ],
      async (c) => (c.provider === 'accuauth' ? tryCandidate(deps, c, call) : secondAnswer),
      d.gateway.routing,
    );
    expect(chain.skipped).toEqual([{ provider: 'accuauth', reason: 'breaker_open', suiteCode: 'provider_unavailable' }]);
    expect(chain.answer?.provider).toBe('lapis');
    expect(gw.sims.accuauth.billing().totalCalls).toBe(calls);
  });

  it('when AccuAuth says OUT_OF_QUOTA, then it cools down in Redis, alerts, and the next verification skips it without a call', async () => {
    const t = await gw.tenant();
    // A fresh provider view: the breaker of the previous case is open for a minute.
    await gw.app.deps.gateway.accountHealth.restore('test', 'accuauth');
    gw.app.deps.gateway.breakers.shutdown();
    const first = await verify(t.key, t.customerId, ACCUAUTH_SANDBOX.httpErrors.OUT_OF_QUOTA!);
    expect(((await first.json()) as any).error).toMatchObject({ code: 'provider_quota_exhausted', charged: 'free' });
    expect(await gw.app.deps.gateway.accountHealth.cooldownOf('test', 'accuauth')).toEqual({
      state: 'quota_exhausted',
      suiteCode: 'provider_quota_exhausted',
    });
    const calls = gw.sims.accuauth.billing().totalCalls;
    const second = await verify(t.key, t.customerId, ACCUAUTH_SANDBOX.plain);
    expect(second.status).toBe(503);
    expect(((await second.json()) as any).error).toMatchObject({
      code: 'provider_quota_exhausted',
      reasons: [
        { provider: 'accuauth', outcome: 'skipped', reason: 'account_quota_exhausted' },
        { provider: 'inhouse', outcome: 'skipped', reason: 'input_not_accepted' },
      ],
    });
    expect(gw.sims.accuauth.billing().totalCalls).toBe(calls);
    await gw.app.deps.gateway.accountHealth.restore('test', 'accuauth');
  });

  it('when a live key calls a provider without credentials, then it is skipped as provider_not_configured and no simulator is reached', async () => {
    const t = await gw.tenant();
    const live = await issueKey(gw.app.deps.db, gw.app.deps.keys, {
      orgId: t.orgId,
      name: 'live',
      mode: 'live',
      scopes: ['verifications:write'],
    });
    const calls = gw.sims.accuauth.billing().totalCalls;
    const res = await verify(live.key, t.customerId, ACCUAUTH_SANDBOX.plain);
    expect(res.status).toBe(503);
    expect(((await res.json()) as any).error).toMatchObject({
      code: 'provider_not_configured',
      reasons: [
        { provider: 'accuauth', outcome: 'skipped', reason: 'provider_not_configured' },
        { provider: 'inhouse', outcome: 'skipped', reason: 'input_not_accepted' },
      ],
    });
    expect(gw.sims.accuauth.billing().totalCalls).toBe(calls);
  });
});
