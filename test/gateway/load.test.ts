import { ACCUAUTH_SANDBOX } from '../../adapters/accuauth/simulator';
import { pngBase64 } from '../adapters/lapis/fixtures';
import { testConfig } from '../helpers/test-app';
import { SELFIE, startSimulatedGateway, type Simulated } from './support';

jest.setTimeout(120_000);

let gw: Simulated;
beforeAll(async () => {
  // 200 verifications from one key at once: the per-key limit on paid routes (20 a minute) is lifted here,
  // this test is about double charges under faults (test/http/spend-limits.test.ts tests the limit).
  const { rateLimits } = testConfig();
  gw = await startSimulatedGateway({}, { config: { rateLimits: { ...rateLimits, 'verifications.create': { limit: 1000, windowSeconds: 60 } } } });
});
afterAll(() => gw?.close());

const CONCURRENCY = 200;
const NIKS = ['01', '02', '03', '06', '07', '08'].map((c) => ACCUAUTH_SANDBOX.results[c]!);

/** A deterministic mix of checks and sandbox answers, so a failing run can be replayed. */
function body(i: number, customerId: string) {
  const nik = NIKS[i % NIKS.length]!;
  switch (i % 3) {
    case 0:
      return { customerId, check: 'identity_selfie', input: { idNumber: nik, faceImage: SELFIE } };
    case 1:
      return { customerId, check: 'name_check', input: { idNumber: nik, name: 'Budi Santoso' } };
    default:
      return { customerId, check: 'document', input: { front: { base64: pngBase64() } } };
  }
}

describe('under load with injected faults', () => {
  it('when 200 verifications run at once through faulty simulators, then none has two charged attempts and the ledger accounts for every call the simulators billed', async () => {
    const t = await gw.tenant(['verifications:write', 'verifications:view', 'customers:write', 'usage:view', 'routing:manage']);
    // Failover after an unknown charge allowed: the riskiest policy for double charges.
    const put = await gw.app.request('PUT', '/v1/routing/policy', { key: t.key, body: { allowFailoverAfterUnknown: true, checks: {} } });
    expect(put.status).toBe(200);
    gw.sims.accuauth.setFaults({ errorRate: 0.2, latencyMs: 20, seed: 7 });
    gw.sims.lapis.setFaults({ errorRate: 0.15, latencyMs: 40, seed: 11 });

    const requests = Array.from({ length: CONCURRENCY }, (_, i) =>
      gw.app.request('POST', '/v1/verifications', { key: t.key, body: body(i, t.customerId) }).then(async (res) => ({
        status: res.status,
        body: (await res.json()) as Record<string, any>,
      })),
    );
    // A window where AccuAuth reads requests and never answers: those calls end as unknown charges.
    // It opens once traffic is flowing (the simulator has answered some calls) and closes 300 ms later.
    let heal: NodeJS.Timeout | undefined;
    const watch = setInterval(() => {
      if (heal || gw.sims.accuauth.billing().totalCalls < 15) return;
      gw.sims.accuauth.setFaults({ hangAfterReceive: true });
      heal = setTimeout(() => gw.sims.accuauth.setFaults({ hangAfterReceive: false }), 300);
    }, 5);
    const answers = await Promise.all(requests);
    clearInterval(watch);
    clearTimeout(heal);
    gw.sims.accuauth.setFaults({ hangAfterReceive: false, errorRate: 0, latencyMs: 0 });
    gw.sims.lapis.setFaults({ errorRate: 0, latencyMs: 0 });

    // Every answer is a verification or a suite error, never a crash.
    for (const a of answers) {
      if (a.status === 200) expect(a.body.object).toBe('verification');
      else expect(a.body.error).toMatchObject({ code: expect.any(String), requestId: expect.any(String) });
      expect(a.status).not.toBe(500);
    }
    const statuses = new Set(answers.map((a) => a.status));
    expect(statuses.has(200)).toBe(true);
    expect([...statuses].some((s) => s >= 500)).toBe(true); // the faults really bit

    const db = gw.app.deps.db;
    const doubled = await db.query<{ verification_id: string }>(
      `SELECT verification_id FROM verification_attempts WHERE org_id = $1 AND charged = 'charged'
        GROUP BY verification_id HAVING count(*) > 1`,
      [t.orgId],
    );
    expect(doubled.rows).toEqual([]);
    const { rows } = await db.query<{ provider: string; charged: number; total: number; unknown: number }>(
      `SELECT provider, count(*) FILTER (WHERE charged = 'charged') AS charged, count(*) FILTER (WHERE charged = 'unknown') AS unknown,
              count(*) AS total
         FROM ledger_entries WHERE org_id = $1 GROUP BY provider ORDER BY provider`,
      [t.orgId],
    );
    const of = (p: string) => rows.find((r) => r.provider === p) ?? { charged: 0, total: 0, unknown: 0 };
    // What finance reconciles: every call the vendor billed is on the ledger, as charged, or as unknown
    // when our timeout fired before its late answer arrived (the vendor billed, we could not know).
    // Nothing is booked charged that the vendor did not bill.
    for (const provider of ['accuauth', 'lapis'] as const) {
      const billed = gw.sims[provider].billing().totalCharged;
      const { charged, unknown } = of(provider);
      expect(Number(charged)).toBeLessThanOrEqual(billed);
      expect(billed).toBeLessThanOrEqual(Number(charged) + Number(unknown));
    }
    expect(Number(of('accuauth').charged)).toBeGreaterThan(0);
    expect(Number(of('accuauth').unknown)).toBeGreaterThan(0); // the hang window really left unknown charges
    // One ledger row per attempt, one attempt per verification at most per provider.
    const attempts = await db.query<{ n: number }>('SELECT count(*) AS n FROM verification_attempts WHERE org_id = $1', [t.orgId]);
    expect(Number(rows.reduce((n, r) => n + Number(r.total), 0))).toBe(Number(attempts.rows[0]!.n));
    const processing = await db.query("SELECT id FROM verifications WHERE org_id = $1 AND status = 'processing'", [t.orgId]);
    expect(processing.rows).toEqual([]);
  });
});
