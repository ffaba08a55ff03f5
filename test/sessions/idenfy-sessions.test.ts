import { signWebhook } from '../../adapters/idenfy/webhook';
import { idenfyWebhookPayload } from '../adapters/idenfy/webhook-payload';
import { IDENFY_SANDBOX_CREDENTIALS } from '../../adapters/idenfy/simulator';
import { loadPricing } from '../../src/ledger/pricing';
import { followUpSessions } from '../../src/sessions/follow-up';
import { startSimulatedGateway, type Simulated } from '../gateway/support';

/** The key iDenfy's simulator signs with (the sandbox API secret): what the gateway accepts for sandbox sessions. */
const SANDBOX_KEY = IDENFY_SANDBOX_CREDENTIALS.apiSecret;

type Body = Record<string, any>;

async function startSession(gw: Simulated, t: { key: string; customerId: string }, input: Record<string, unknown> = {}) {
  const res = await gw.app.request('POST', '/v1/verifications', {
    key: t.key,
    body: { customerId: t.customerId, check: 'hosted_session', input: { expirySeconds: 600, ...input } },
  });
  const body = (await res.json()) as Body;
  expect(body).toMatchObject({ status: 'pending', provider: 'idenfy' });
  return body as { id: string; result: { data: { scanRef: string; authToken: string; redirectUrl: string } } };
}

/** The person finishes the hosted page (the simulator plays its scenario's webhooks and reports where each went). */
async function completeOnPage(session: { result: { data: { authToken: string; redirectUrl: string } } }) {
  const origin = new URL(session.result.data.redirectUrl).origin;
  const res = await fetch(`${origin}/sim/hosted/${session.result.data.authToken}/complete`, {
    method: 'POST',
    headers: { accept: 'application/json' },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { deliveries: Array<{ status: number | null; url: string | null }> };
}

async function waitForStatus(gw: Simulated, key: string, id: string, wanted: (s: string) => boolean, timeoutMs = 10_000): Promise<Body> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const body = (await (await gw.app.request('GET', `/v1/verifications/${id}`, { key })).json()) as Body;
    if (wanted(body.status)) return body;
    if (Date.now() > until) throw new Error(`verification ${id} still ${body.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function sessionLedger(gw: Simulated, verificationId: string) {
  const { rows } = await gw.app.deps.db.query<{ operation: string; charged: string; suite_code: string | null; unit_price: string }>(
    'SELECT operation, charged, suite_code, unit_price FROM ledger_entries WHERE verification_id = $1 ORDER BY seq',
    [verificationId],
  );
  return rows;
}

async function metric(gw: Simulated, name: string, labels: string): Promise<number> {
  const text = await (await gw.app.request('GET', '/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** A webhook as iDenfy would send it for `scanRef`, signed with `key`. */
function webhook(scanRef: string, over: Record<string, unknown> = {}, key: string = SANDBOX_KEY) {
  const now = Math.floor(Date.now() / 1000);
  const body = JSON.stringify(idenfyWebhookPayload({ scanRef, startTime: now - 60, finishTime: now, ...over }));
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'idenfy-event-type': 'IDENTIFICATION_AUTO_FINISHED',
      'idenfy-signature': signWebhook(body, key),
    },
  };
}

async function post(gw: Simulated, hook: { body: string; headers: Record<string, string> }) {
  const res = await fetch(`${gw.app.url}/v1/webhooks/idenfy`, { method: 'POST', headers: hook.headers, body: hook.body });
  return { status: res.status, body: (await res.json()) as Body };
}

describe('iDenfy hosted sessions end to end (simulator page -> signed webhook -> worker)', () => {
  let gw: Simulated;
  beforeAll(async () => {
    gw = await startSimulatedGateway({}, { workers: true });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('when the person completes an approved session, then the webhook passes the verification and the session is charged once', async () => {
    const t = await gw.tenant();
    const session = await startSession(gw, t);
    expect(await sessionLedger(gw, session.id)).toEqual([
      { operation: 'token', charged: 'unknown', suite_code: 'session_created', unit_price: '16000.00' },
    ]);

    const done = await completeOnPage(session);
    expect(done.deliveries.map((d) => d.status)).toEqual([200]);
    const body = await waitForStatus(gw, t.key, session.id, (s) => s !== 'pending');
    expect(body).toMatchObject({
      status: 'passed',
      result: { code: 'session_approved', data: { scanRef: session.result.data.scanRef, overall: 'APPROVED', face: 'FACE_MATCH' } },
      attempts: [{ operation: 'token', charged: 'charged' }],
    });
    // Names and document data of the webhook are not kept on the verification.
    expect(JSON.stringify(body)).not.toMatch(/BUDI|SANTOSO|docFirstName/);
    expect(await sessionLedger(gw, session.id)).toEqual([
      { operation: 'token', charged: 'charged', suite_code: 'session_approved', unit_price: '16000.00' },
    ]);
    expect(gw.sims.idenfy.billing().totalCharged).toBeGreaterThanOrEqual(1);
  });

  it('when a denied session ends on the pay-per-approved plan, then the verification fails and the session is free', async () => {
    const t = await gw.tenant();
    const session = await startSession(gw, t, { firstName: 'Budi-denied' });
    await completeOnPage(session);
    const body = await waitForStatus(gw, t.key, session.id, (s) => s !== 'pending');
    expect(body).toMatchObject({ status: 'failed', result: { code: 'session_denied' }, attempts: [{ charged: 'free' }] });
    expect((await sessionLedger(gw, session.id))[0]).toMatchObject({ charged: 'free', suite_code: 'session_denied' });
  });

  it('when a manual review follows, then the first webhook leaves it pending and the second decides it', async () => {
    const t = await gw.tenant();
    const session = await startSession(gw, t, { firstName: 'Budi-review' });
    const done = await completeOnPage(session);
    expect(done.deliveries).toHaveLength(2);
    const body = await waitForStatus(gw, t.key, session.id, (s) => s !== 'pending');
    expect(body).toMatchObject({ status: 'passed', result: { code: 'session_approved' }, attempts: [{ charged: 'charged' }] });
    const { rows } = await gw.app.deps.db.query<{ outcome: string }>(
      `SELECT outcome FROM inbound_webhooks WHERE session_ref = $1 ORDER BY received_at`,
      [session.result.data.scanRef],
    );
    // Both applied, each once; should the worker take them out of order, the late review note changes nothing.
    expect(rows.map((r) => r.outcome).sort()).toEqual(rows[0]?.outcome === 'ended' ? ['ended', 'superseded'] : ['ended', 'progressed']);
  });

  it('when a session expires unused, then the verification is expired and nothing is charged', async () => {
    const t = await gw.tenant();
    const session = await startSession(gw, t, { firstName: 'Budi-expired' });
    await completeOnPage(session);
    const body = await waitForStatus(gw, t.key, session.id, (s) => s !== 'pending');
    expect(body).toMatchObject({ status: 'expired', result: { code: 'session_expired' }, attempts: [{ charged: 'free' }] });
  });

  it('when a webhook is forged, signed with a wrong key or malformed, then it is refused in the suite model and changes nothing', async () => {
    const t = await gw.tenant();
    const session = await startSession(gw, t);
    const scanRef = session.result.data.scanRef;
    const refusedBefore = await metric(gw, 'verigate_inbound_webhooks_total', 'outcome="signature_invalid"');

    const forged = webhook(scanRef);
    forged.headers['idenfy-signature'] = 'ab'.repeat(32);
    expect(await post(gw, forged)).toMatchObject({ status: 401, body: { error: { code: 'webhook_signature_invalid' } } });
    expect(await post(gw, webhook(scanRef, {}, 'not-our-key'))).toMatchObject({
      status: 401,
      body: { error: { code: 'webhook_signature_invalid' } },
    });
    const unsigned = webhook(scanRef);
    delete (unsigned.headers as Record<string, string | undefined>)['idenfy-signature'];
    expect((await post(gw, unsigned)).status).toBe(401);

    const garbage = '{"scanRef": 42';
    const malformed = {
      body: garbage,
      headers: {
        'content-type': 'application/json',
        'idenfy-event-type': 'IDENTIFICATION_AUTO_FINISHED',
        'idenfy-signature': signWebhook(garbage, SANDBOX_KEY),
      },
    };
    expect(await post(gw, malformed)).toMatchObject({ status: 400, body: { error: { code: 'webhook_invalid' } } });
    const badEvent = webhook(scanRef);
    badEvent.headers['idenfy-event-type'] = 'NOT_AN_EVENT';
    expect(await post(gw, badEvent)).toMatchObject({ status: 400, body: { error: { code: 'webhook_invalid' } } });
    const stale = webhook(scanRef, { finishTime: Math.floor(Date.now() / 1000) - 30 * 86_400 });
    expect(await post(gw, stale)).toMatchObject({ status: 400, body: { error: { code: 'webhook_stale' } } });

    expect(await metric(gw, 'verigate_inbound_webhooks_total', 'outcome="signature_invalid"')).toBe(refusedBefore + 3);
    const { rows } = await gw.app.deps.db.query('SELECT 1 FROM inbound_webhooks WHERE session_ref = $1', [scanRef]);
    expect(rows).toHaveLength(0);
    const body = (await (await gw.app.request('GET', `/v1/verifications/${session.id}`, { key: t.key })).json()) as Body;
    expect(body).toMatchObject({ status: 'pending', attempts: [{ charged: 'unknown' }] });
  });

  it('when a valid webhook is replayed, then it is acknowledged as a duplicate and applied once', async () => {
    const t = await gw.tenant();
    const session = await startSession(gw, t);
    const hook = webhook(session.result.data.scanRef);
    expect(await post(gw, hook)).toMatchObject({ status: 200, body: { received: true, duplicate: false } });
    await waitForStatus(gw, t.key, session.id, (s) => s === 'passed');
    const replay = await post(gw, hook);
    expect(replay).toMatchObject({ status: 200, body: { duplicate: true } });
    // A different later state (a DENIED for an approved session) does not overturn the ended verification.
    const late = webhook(session.result.data.scanRef, {
      status: { overall: 'DENIED', fraudTags: [], mismatchTags: [], autoFace: 'FACE_MISMATCH', autoDocument: 'DOC_VALIDATED' },
    });
    expect((await post(gw, late)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    const body = (await (await gw.app.request('GET', `/v1/verifications/${session.id}`, { key: t.key })).json()) as Body;
    expect(body).toMatchObject({ status: 'passed', attempts: [{ charged: 'charged' }] });
    const { rows } = await gw.app.deps.db.query<{ outcome: string }>(
      'SELECT outcome FROM inbound_webhooks WHERE session_ref = $1 ORDER BY received_at',
      [session.result.data.scanRef],
    );
    expect(rows.map((r) => r.outcome)).toEqual(['ended', 'superseded']);
  });

  it('when a webhook names a session nobody opened, then it is acknowledged and logged, and changes nothing', async () => {
    expect(await post(gw, webhook('00000000-0000-0000-0000-000000000000'))).toMatchObject({ status: 200, body: { received: true } });
    const until = Date.now() + 5000;
    let outcome: string | undefined;
    while (!outcome && Date.now() < until) {
      const { rows } = await gw.app.deps.db.query<{ outcome: string | null }>(
        `SELECT outcome FROM inbound_webhooks WHERE session_ref = '00000000-0000-0000-0000-000000000000'`,
      );
      outcome = rows[0]?.outcome ?? undefined;
      if (!outcome) await new Promise((r) => setTimeout(r, 50));
    }
    expect(outcome).toBe('unknown_session');
  });

  it('when a vendor that sends no webhooks is named, then the receiver answers 404 in the suite model', async () => {
    const res = await fetch(`${gw.app.url}/v1/webhooks/accuauth`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'resource_not_found' } });
  });

  it('when the final webhook never arrives, then the overdue session is asked about once and ends as the status says', async () => {
    const t = await gw.tenant();
    // The dashboard URL points nowhere: iDenfy approves (and bills) but its webhook is lost.
    await fetch(`${new URL((await startSession(gw, t)).result.data.redirectUrl).origin}/__sim/idenfy/account`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ webhookUrl: 'http://127.0.0.1:9/lost' }),
    });
    const session = await startSession(gw, t, { expirySeconds: 60 });
    const done = await completeOnPage(session);
    expect(done.deliveries[0]?.status).toBeNull();
    try {
      // Not overdue yet: nothing is fetched.
      expect((await followUpSessions(gw.app.deps)).events.filter((e) => e.verificationId === session.id)).toEqual([]);
      gw.app.advance(2 * 3600_000);
      const first = await followUpSessions(gw.app.deps);
      expect(first.events.find((e) => e.verificationId === session.id)).toMatchObject({ outcome: 'ended' });
      const body = await waitForStatus(gw, t.key, session.id, (s) => s !== 'pending');
      expect(body).toMatchObject({
        status: 'passed',
        attempts: [
          { operation: 'token', charged: 'charged' },
          { operation: 'status', charged: 'free' },
        ],
      });
      // Once: a later sweep does not ask again.
      const second = await followUpSessions(gw.app.deps);
      expect(second.events.filter((e) => e.verificationId === session.id)).toEqual([]);
      expect((await sessionLedger(gw, session.id)).map((r) => r.operation)).toEqual(['token', 'status']);
    } finally {
      await fetch(`${new URL(session.result.data.redirectUrl).origin}/__sim/idenfy/account`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ webhookUrl: null }),
      });
    }
  });
});

describe('iDenfy sessions on the pay-per-completed plan', () => {
  let gw: Simulated;
  beforeAll(async () => {
    const pricing = loadPricing();
    gw = await startSimulatedGateway(
      { pricing: { ...pricing, planOf: (provider) => (provider === 'idenfy' ? 'pay_per_completed' : undefined) } },
      { workers: true },
    );
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('when a denied session ends, then the plan rule charges it', async () => {
    const t = await gw.tenant();
    const session = await startSession(gw, t, { firstName: 'Budi-denied' });
    await completeOnPage(session);
    const body = await waitForStatus(gw, t.key, session.id, (s) => s !== 'pending');
    expect(body).toMatchObject({ status: 'failed', attempts: [{ charged: 'charged' }] });
  });
});
