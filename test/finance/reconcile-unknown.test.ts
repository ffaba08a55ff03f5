import { IDENFY_SANDBOX_CREDENTIALS } from '../../adapters/idenfy/simulator';
import { reconcileUnknownCharges } from '../../src/finance/reconcile-unknown';
import { testConfig } from '../helpers/test-app';
import { startSimulatedGateway, type Simulated } from '../gateway/support';

type Body = Record<string, any>;

/**
 * The reconciliation of unknown charges through vendors' status APIs: iDenfy token calls whose answer was lost
 * (the gateway timed out while the simulator still opened, or did not open, a session) are settled from the
 * customer's sessions at iDenfy; AccuAuth's lost calls, which no vendor API can prove, are left alone.
 */
let gw: Simulated;
beforeAll(async () => {
  gw = await startSimulatedGateway({}, { config: { reconciliation: { ...testConfig().reconciliation, afterMinutes: 60 } } });
});
afterAll(() => gw?.close());
const NO_FAULTS = { latencyMs: 0, quotaExhausted: false };
afterEach(() => gw.sims.idenfy.setFaults(NO_FAULTS));

const idenfyUrl = () =>
  `http://127.0.0.1:${gw.app.deps.providers.idenfy?.transport === 'http' ? gw.app.deps.providers.idenfy.sandbox.port : 0}`;

/** A hosted session whose token answer never reaches the gateway (the vendor is slower than the call's timeout). */
async function lostToken(t: { key: string; customerId: string }, faults: Record<string, unknown> = {}) {
  gw.sims.idenfy.setFaults({ latencyMs: 700, ...faults });
  const res = await gw.app.request('POST', '/v1/verifications', {
    key: t.key,
    body: { customerId: t.customerId, check: 'hosted_session', input: { expirySeconds: 600 } },
  });
  const body = (await res.json()) as Body;
  expect(body.error).toMatchObject({ code: 'provider_timeout', charged: 'unknown' });
  await new Promise((r) => setTimeout(r, 500)); // the simulator finishes handling the request after the gateway gave up
  gw.sims.idenfy.setFaults(NO_FAULTS);
  return body.error.verification as string;
}

/** Time passes for the books: every ledger row (the database stamps them) is made `minutes` older. */
async function age(minutes: number) {
  await gw.app.deps.db.query(`UPDATE ledger_entries SET created_at = created_at - make_interval(mins => $1)`, [minutes]);
}

async function ledger(verificationId: string) {
  const { rows } = await gw.app.deps.db.query<{ operation: string; charged: string }>(
    'SELECT operation, charged FROM ledger_entries WHERE verification_id = $1 ORDER BY seq',
    [verificationId],
  );
  return rows.map((r) => `${r.operation}:${r.charged}`);
}

/** The sessions the simulator holds for a client, as iDenfy lists them. */
async function sessionsOf(clientId: string): Promise<Array<{ scanRef: string; status: string }>> {
  const auth = Buffer.from(`${IDENFY_SANDBOX_CREDENTIALS.apiKey}:${IDENFY_SANDBOX_CREDENTIALS.apiSecret}`).toString('base64');
  const res = await fetch(`${idenfyUrl()}/kyc/identifications/?clientId=${clientId}`, { headers: { authorization: `Basic ${auth}` } });
  return ((await res.json()) as { results: Array<{ scanRef: string; status: string }> }).results;
}

describe('reconcile-unknown-charges', () => {
  it('when a lost token opened a session that was approved, then the token row is settled charged with the lookup as evidence, once', async () => {
    const t = await gw.tenant();
    const id = await lostToken(t);
    const [opened] = await sessionsOf(t.customerId);
    expect(opened).toMatchObject({ status: 'ACTIVE' });
    await fetch(`${idenfyUrl()}/__sim/idenfy/sessions/${opened!.scanRef}/complete`, { method: 'POST' });

    // Too young: iDenfy's webhooks and our follow-up have their chance first.
    expect((await reconcileUnknownCharges(gw.app.deps)).asked).toBe(0);
    await age(61);
    expect((await reconcileUnknownCharges(gw.app.deps)).settled).toBeGreaterThanOrEqual(1);
    expect(await ledger(id)).toEqual(['token:charged', 'identifications:free']);
    const entries = (await (await gw.app.request('GET', '/v1/usage/entries?charged=charged', { key: t.key })).json()) as Body;
    const token = (entries.data as Body[]).find((e) => e.verificationId === id && e.operation === 'token');
    expect(token?.resolution).toMatchObject({ from: 'unknown', resolvedBy: expect.stringMatching(/^att_/) });
    expect(token?.resolution.note).toContain('APPROVED');

    await reconcileUnknownCharges(gw.app.deps);
    expect(await ledger(id)).toEqual(['token:charged', 'identifications:free']);
  });

  it('when a lost token opened no session, then the row is settled free; a session the gateway knows is not taken for it', async () => {
    const t = await gw.tenant();
    // A session the gateway knows of, for the same customer.
    const known = await gw.app.request('POST', '/v1/verifications', {
      key: t.key,
      body: { customerId: t.customerId, check: 'hosted_session', input: { expirySeconds: 600 } },
    });
    expect(((await known.json()) as Body).status).toBe('pending');
    // Out of credits: iDenfy refuses the token, so nothing was opened, but the refusal arrived too late.
    const id = await lostToken(t, { quotaExhausted: true });
    await age(61);
    await reconcileUnknownCharges(gw.app.deps);
    expect(await ledger(id)).toEqual(['token:free', 'identifications:free']);
  });

  it('when the opened session is still open, then nothing is proved: the row stays unknown and is asked about again only a period later', async () => {
    const t = await gw.tenant();
    const id = await lostToken(t);
    await age(61);
    expect((await reconcileUnknownCharges(gw.app.deps)).inconclusive).toBeGreaterThanOrEqual(1);
    expect(await ledger(id)).toEqual(['token:unknown', 'identifications:free']);
    await reconcileUnknownCharges(gw.app.deps);
    expect(await ledger(id)).toEqual(['token:unknown', 'identifications:free']);
    await age(61);
    await reconcileUnknownCharges(gw.app.deps);
    expect(await ledger(id)).toEqual(['token:unknown', 'identifications:free', 'identifications:free']);
  });

  it('when AccuAuth lost an answer, then no vendor is asked: the row waits for the invoice import', async () => {
    const t = await gw.tenant();
    gw.sims.accuauth.setFaults({ latencyMs: 700 });
    try {
      await gw.app.request('POST', '/v1/verifications', {
        key: t.key,
        body: { customerId: t.customerId, check: 'name_check', input: { idNumber: '3171014101900001', name: 'Siti' } },
      });
    } finally {
      gw.sims.accuauth.setFaults({ latencyMs: 0 });
    }
    await new Promise((r) => setTimeout(r, 500)); // the simulator answers the call the gateway gave up on
    const calls = gw.sims.accuauth.billing().totalCalls;
    await age(61);
    await reconcileUnknownCharges(gw.app.deps);
    expect(gw.sims.accuauth.billing().totalCalls).toBe(calls);
    const { rows } = await gw.app.deps.db.query(`SELECT charged FROM ledger_entries WHERE org_id = $1 AND provider = 'accuauth'`, [
      t.orgId,
    ]);
    expect(rows).toEqual([{ charged: 'unknown' }]);
  });
});
