import { pngBase64 } from '../adapters/lapis/fixtures';
import { testConfig } from '../helpers/test-app';
import { ledgerCounts, startSimulatedGateway, type Simulated } from './support';

type Body = Record<string, any>;

/**
 * Lapis' multi-step eKYC request as an asynchronous verification: a worker walks the flow (upload, face match,
 * liveliness, create, find, accept, retrieve), each step a call written ahead and booked, through the Lapis
 * simulator. What a dead worker leaves is covered by test/runtime/async-crash.test.ts.
 */
let gw: Simulated;
beforeAll(async () => {
  // Asked again every half second, and given up on after three: the waits of a day in a test's seconds.
  const verifications = { ...testConfig().verifications, flowWaits: { firstSeconds: 0.5, maxSeconds: 0.5, limitSeconds: 3 } };
  gw = await startSimulatedGateway({}, { workers: true, config: { verifications } });
});
afterAll(() => gw?.close());

const VIDEO = { base64: `data:video/mp4;base64,${Buffer.from('ftypisom').toString('base64')}` };

const ekyc = (customerId: string, input: Record<string, unknown> = {}, mode = 'async') => ({
  customerId,
  check: 'ekyc_request',
  mode,
  input: {
    document: { front: { base64: pngBase64() } },
    face: { base64: pngBase64() },
    video: VIDEO,
    email: `applicant-${Math.random().toString(36).slice(2)}@example.com`,
    phoneNumber: `+62812${Math.floor(Math.random() * 1e7)
      .toString()
      .padStart(7, '0')}`,
    ...input,
  },
});

async function post(key: string, body: unknown) {
  const res = await gw.app.request('POST', '/v1/verifications', { key, body });
  return { res, body: (await res.json()) as Body };
}

async function finished(key: string, id: string): Promise<Body> {
  return reached(key, id, (status) => status !== 'processing');
}

async function reached(key: string, id: string, done: (status: string) => boolean): Promise<Body> {
  const until = Date.now() + 15_000;
  for (;;) {
    const body = (await (await gw.app.request('GET', `/v1/verifications/${id}`, { key })).json()) as Body;
    if (done(body.status)) return body;
    if (Date.now() > until) throw new Error(`verification ${id} still processing`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const operations = (v: Body) => (v.attempts as Body[]).map((a) => `${a.operation}:${a.charged}`);

describe('check ekyc_request (Lapis eKYC flow)', () => {
  it('when the person validated, then every step runs once in order, the request is accepted and the verification passes', async () => {
    const t = await gw.tenant();
    const before = gw.sims.lapis.billing().totalCharged;
    const { res, body } = await post(t.key, ekyc(t.customerId));
    expect(res.status).toBe(202);
    const done = await finished(t.key, body.id);
    expect(done).toMatchObject({ status: 'passed', provider: 'lapis', result: { code: 'ekyc_accepted' } });
    expect(operations(done)).toEqual([
      'document_upload:charged',
      'face_authentication:charged',
      'liveliness:charged',
      'kyc_request_create:free',
      'kyc_request_find:free',
      'kyc_request_accept:free',
      'kyc_request_get:free',
    ]);
    expect(done.result.data).toMatchObject({ validated: true, accepted: true, liveness: 'passed', faceScore: 0.92 });
    expect(done.result.data.requestId).toMatch(/^\d+$/);
    // Every step is on the ledger: the three verdicts Lapis bills, and the free request management.
    expect(await ledgerCounts(gw.app, t.orgId)).toEqual({ charged: 3, free: 4, unknown: 0, total: 7 });
    expect(gw.sims.lapis.billing().totalCharged - before).toBe(3);
  });

  it('when no video is given, then the liveliness step is left out', async () => {
    const t = await gw.tenant();
    const { body } = await post(t.key, ekyc(t.customerId, { video: undefined }));
    const done = await finished(t.key, body.id);
    expect(done.status).toBe('passed');
    expect(operations(done)).not.toContain('liveliness:charged');
    expect(done.result.data.liveness).toBe('not_requested');
  });

  it('when the face does not match, then the flow stops there: failed, no request opened at Lapis', async () => {
    const t = await gw.tenant();
    const { body } = await post(t.key, ekyc(t.customerId, { face: { base64: pngBase64('lapis-mismatch') } }));
    const done = await finished(t.key, body.id);
    expect(done).toMatchObject({ status: 'failed', result: { code: 'face_mismatch' } });
    expect(operations(done)).toEqual(['document_upload:charged', 'face_authentication:charged']);
  });

  it('when the person validates only later, then the verification is pending meanwhile, is asked about again and passes, announced once as updated', async () => {
    const t = await gw.tenant();
    const { body } = await post(t.key, ekyc(t.customerId, { email: `siti+lapis-validates-later-${Date.now()}@example.com` }));
    const waiting = await finished(t.key, body.id);
    expect(waiting).toMatchObject({ status: 'pending', result: { code: 'ekyc_awaiting_person' } });
    expect(waiting.result.data).toMatchObject({ validated: false, accepted: false });
    expect(waiting.result.data.requestId).toMatch(/^\d+$/);
    const { rows: kept } = await gw.app.deps.db.query('SELECT 1 FROM verification_inputs WHERE verification_id = $1', [body.id]);
    expect(kept).toHaveLength(1); // kept for the next ask

    const done = await reached(t.key, body.id, (s) => s === 'passed');
    expect(done.result).toMatchObject({ code: 'ekyc_accepted', data: { validated: true, accepted: true } });
    expect(operations(done).slice(3)).toEqual([
      'kyc_request_create:free',
      'kyc_request_find:free', // waiting on the person
      'kyc_request_find:free', // asked again: validated
      'kyc_request_accept:free',
      'kyc_request_get:free',
    ]);
    const { rows: gone } = await gw.app.deps.db.query('SELECT 1 FROM verification_inputs WHERE verification_id = $1', [body.id]);
    expect(gone).toHaveLength(0);
    const { rows: events } = await gw.app.deps.db.query<{ type: string }>(
      `SELECT type FROM events WHERE data->>'verificationId' = $1 ORDER BY created_at`,
      [body.id],
    );
    expect(events.map((e) => e.type)).toEqual(['verification.updated', 'verification.completed']);
  });

  it('when the person never validates, then the request is never accepted and the verification expires once its time is up', async () => {
    const t = await gw.tenant();
    const { body } = await post(t.key, ekyc(t.customerId, { email: `someone+lapis-unvalidated-${Date.now()}@example.com` }));
    const done = await reached(t.key, body.id, (s) => s !== 'processing' && s !== 'pending');
    expect(done).toMatchObject({ status: 'expired', result: { code: 'flow_expired' } });
    const steps = operations(done);
    expect(steps).not.toContain('kyc_request_accept:free');
    expect(steps.filter((s) => s === 'kyc_request_find:free').length).toBeGreaterThanOrEqual(2);
    const { rows } = await gw.app.deps.db.query('SELECT resume_at FROM verifications WHERE id = $1', [body.id]);
    expect(rows[0]).toEqual({ resume_at: null });
  });

  it('when asked for synchronously, then 400 invalid_request on mode and nothing is called', async () => {
    const t = await gw.tenant();
    const calls = gw.sims.lapis.billing().totalCalls;
    const { res, body } = await post(t.key, ekyc(t.customerId, {}, 'sync'));
    expect(res.status).toBe(400);
    expect(body.error).toMatchObject({ code: 'invalid_request', param: 'mode' });
    expect(gw.sims.lapis.billing().totalCalls).toBe(calls);
  });

  it('when the input misses the applicant, then 400 naming the field before anything is accepted', async () => {
    const t = await gw.tenant();
    const { res, body } = await post(t.key, ekyc(t.customerId, { email: undefined }));
    expect(res.status).toBe(400);
    expect(body.error.code).toBe('invalid_request');
    expect(JSON.stringify(body.error)).toContain('email');
  });
});
