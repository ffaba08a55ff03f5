import { ACCUAUTH_SANDBOX } from '../../adapters/accuauth/simulator';
import { loadBreakersConfig } from '../../src/gateway/breakers';
import { loadErrorMap, resolveCharge, type MappingRow } from '../../src/gateway/error-map';
import type { Attempt } from '../../src/gateway/attempt';
import { mayFailOver, runChain, type CandidateOutcome } from '../../src/gateway/failover';
import { tryCandidate, type InvokeDeps } from '../../src/gateway/invoke';
import type { Candidate } from '../../src/gateway/routing';
import { ledgerCounts, SELFIE, startSimulatedGateway, type Simulated } from './support';

/**
 * Chains are exercised here with the real AccuAuth call (through its simulator) first and a stand-in second
 * candidate that answers a charged match, which no real second provider of identity_selfie can (the engine
 * never charges). The real AccuAuth -> engine chain is in inhouse-verifications.test.ts.
 */
const ACCUAUTH: Candidate = { provider: 'accuauth', operation: 'id_selfie' };
const SECOND: Candidate = { provider: 'lapis', operation: 'stand_in' };

let gw: Simulated;
beforeAll(async () => {
  // The breaker has its own tests; here it must not open midway and turn chains into skips.
  const settings = loadBreakersConfig();
  const neverOpens = { ...settings.accuauth!, errorThresholdPercentage: 100 };
  gw = await startSimulatedGateway({ breakerSettings: { ...settings, accuauth: neverOpens } });
});
afterAll(() => gw?.close());
afterEach(() => gw?.sims.accuauth.setFaults({ hangAfterReceive: false, serverError: false, quotaExhausted: false }));

const errorMap = loadErrorMap();

function standIn(): { calls: number; tryIt: () => Promise<CandidateOutcome> } {
  const stub = {
    calls: 0,
    async tryIt(): Promise<CandidateOutcome> {
      stub.calls += 1;
      const attempt: Attempt = {
        id: 'att_standin',
        verificationId: 'ver_chain',
        provider: SECOND.provider,
        operation: SECOND.operation,
        kind: 'result',
        suiteCode: 'identity_match',
        upstream: { status: 200, code: null, transport: null, requestId: null },
        charged: 'charged',
        final: true,
        failover: false,
        latencyMs: 1,
      };
      return { tried: true, attempt };
    },
  };
  return stub;
}

async function chain(nik: string, allowFailoverAfterUnknown = false) {
  const d = gw.app.deps;
  const deps: InvokeDeps = { ...d.gateway, errorMap: d.errorMap, providers: d.providers, logger: d.logger };
  const second = standIn();
  const recorded: Attempt[] = [];
  const call = {
    check: 'identity_selfie' as const,
    keyMode: 'test' as const,
    input: { idNumber: nik, faceImage: SELFIE },
    meta: { customerId: 'cus_chain', verificationId: 'ver_chain', now: new Date() },
    writeAhead: async () => undefined,
    settle: (a: Attempt) => void recorded.push(a),
    withdraw: async () => undefined,
  };
  const outcome = await runChain([ACCUAUTH, SECOND], (c) => (c === ACCUAUTH ? tryCandidate(deps, c, call) : second.tryIt()), {
    allowFailoverAfterUnknown,
  });
  return { outcome, secondCalls: second.calls, recorded };
}

describe('charge-aware failover (AccuAuth through its simulator, then a stand-in)', () => {
  it.each([
    ['06 channel failed', ACCUAUTH_SANDBOX.results['06']!, 'provider_unavailable'],
    ['07 rate limited', ACCUAUTH_SANDBOX.results['07']!, 'provider_rate_limited'],
    ['512 source unavailable', ACCUAUTH_SANDBOX.httpErrors.SOURCE_SERVICE_UNAVAILABLE!, 'provider_unavailable'],
    ['513 source timeout', ACCUAUTH_SANDBOX.httpErrors.SOURCE_SERVICE_TIMEOUT!, 'provider_timeout'],
  ])('when AccuAuth answers %s, then the next provider is tried and answers', async (_name, nik, suiteCode) => {
    const { outcome, secondCalls, recorded } = await chain(nik);
    expect(secondCalls).toBe(1);
    expect(outcome.attempts.map((a) => [a.provider, a.suiteCode, a.charged])).toEqual([
      ['accuauth', suiteCode, 'free'],
      ['lapis', 'identity_match', 'charged'],
    ]);
    expect(outcome.answer?.provider).toBe('lapis');
    expect(recorded).toHaveLength(1);
  });

  it.each([
    ['01 match', ACCUAUTH_SANDBOX.results['01']!, 'identity_match', 'charged'],
    ['02 mismatch', ACCUAUTH_SANDBOX.results['02']!, 'identity_mismatch', 'charged'],
    ['08 no face', ACCUAUTH_SANDBOX.results['08']!, 'no_face_detected', 'free'],
  ])('when AccuAuth answers %s, then the chain stops there', async (_name, nik, suiteCode, charged) => {
    const { outcome, secondCalls } = await chain(nik);
    expect(secondCalls).toBe(0);
    expect(outcome.answer).toMatchObject({ provider: 'accuauth', suiteCode, charged });
  });

  it('when AccuAuth times out and the policy forbids failover after unknown, then the chain stops with an unknown charge', async () => {
    gw.sims.accuauth.setFaults({ hangAfterReceive: true });
    const { outcome, secondCalls } = await chain(ACCUAUTH_SANDBOX.plain, false);
    expect(secondCalls).toBe(0);
    expect(outcome.answer).toBeUndefined();
    expect(outcome.attempts).toEqual([
      expect.objectContaining({
        suiteCode: 'provider_timeout',
        charged: 'unknown',
        upstream: expect.objectContaining({ transport: 'timeout' }),
      }),
    ]);
  });

  it('when AccuAuth times out and the policy allows failover after unknown, then the next provider is tried', async () => {
    gw.sims.accuauth.setFaults({ hangAfterReceive: true });
    const { outcome, secondCalls } = await chain(ACCUAUTH_SANDBOX.plain, true);
    expect(secondCalls).toBe(1);
    expect(outcome.attempts.map((a) => a.charged)).toEqual(['unknown', 'charged']);
  });
});

describe('the failover decision comes from the table alone', () => {
  const attemptFor = (row: MappingRow): Attempt =>
    ({
      charged: resolveCharge(row),
      final: row.final,
      failover: row.failover,
      kind: row.kind,
      suiteCode: row.suiteCode,
    }) as Attempt;

  it.each(errorMap.rows().map((row) => [row.provider, row.operation, JSON.stringify(row.match), row] as const))(
    'when %s %s answers %s, then failover follows final, charged and failover of its row',
    (_p, _o, _m, row) => {
      const charge = resolveCharge(row);
      const strict = mayFailOver(attemptFor(row), { allowFailoverAfterUnknown: false });
      const lenient = mayFailOver(attemptFor(row), { allowFailoverAfterUnknown: true });
      expect(strict).toBe(!row.final && row.failover && charge === 'free');
      expect(lenient).toBe(!row.final && row.failover && charge !== 'charged');
      // Never a second charged attempt: a charged row never lets the chain go on.
      if (charge === 'charged') expect(lenient).toBe(false);
    },
  );
});

describe('through the API', () => {
  it('when AccuAuth hangs past the timeout, then the answer is 504 provider_timeout and the ledger row is unknown', async () => {
    const t = await gw.tenant();
    gw.sims.accuauth.setFaults({ hangAfterReceive: true });
    const started = Date.now();
    const res = await gw.app.request('POST', '/v1/verifications', {
      key: t.key,
      body: { customerId: t.customerId, check: 'identity_selfie', input: { idNumber: ACCUAUTH_SANDBOX.plain, faceImage: SELFIE } },
    });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(res.status).toBe(504);
    expect(((await res.json()) as any).error).toMatchObject({ code: 'provider_timeout', charged: 'unknown', provider: 'accuauth' });
    expect(await ledgerCounts(gw.app, t.orgId)).toEqual({ charged: 0, free: 0, unknown: 1, total: 1 });
  });

  it('when many verifications run concurrently with random faults, then none has two charged attempts and every billed call is on the ledger', async () => {
    const t = await gw.tenant();
    gw.sims.accuauth.setFaults({ errorRate: 0.3, seed: 7 });
    const codes = ['01', '02', '03', '06', '07', '08'];
    const before = gw.sims.accuauth.billing().totalCharged;
    const beforeRows = await ledgerCounts(gw.app, t.orgId);
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        gw.app.request('POST', '/v1/verifications', {
          key: t.key,
          body: {
            customerId: t.customerId,
            check: 'identity_selfie',
            input: { idNumber: ACCUAUTH_SANDBOX.results[codes[i % codes.length]!]!, faceImage: SELFIE },
          },
        }),
      ),
    );
    gw.sims.accuauth.setFaults({ errorRate: 0 });
    const { rows } = await gw.app.deps.db.query<{ n: number }>(
      "SELECT count(*) FILTER (WHERE charged = 'charged') AS n FROM ledger_entries WHERE org_id = $1 GROUP BY verification_id",
      [t.orgId],
    );
    expect(Math.max(...rows.map((r) => Number(r.n)))).toBeLessThanOrEqual(1);
    const after = await ledgerCounts(gw.app, t.orgId);
    const billed = gw.sims.accuauth.billing().totalCharged - before;
    expect(after.charged - beforeRows.charged).toBeGreaterThan(0);
    // Every billed call is on the ledger: charged, or unknown when the answer came after the call's timeout
    // (a loaded machine), never missing; and nothing is charged that the vendor did not bill.
    expect(after.charged - beforeRows.charged).toBeLessThanOrEqual(billed);
    expect(after.charged - beforeRows.charged + (after.unknown - beforeRows.unknown)).toBeGreaterThanOrEqual(billed);
  });
});
