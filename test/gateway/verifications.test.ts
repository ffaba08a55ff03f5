import { ACCUAUTH_SANDBOX } from '../../adapters/accuauth/simulator';
import { pngBase64 } from '../adapters/lapis/fixtures';
import { ledgerCounts, SELFIE, startSimulatedGateway, type Simulated } from './support';

let gw: Simulated;
beforeAll(async () => {
  gw = await startSimulatedGateway();
});
afterAll(() => gw?.close());

const selfie = (nik: string) => ({ idNumber: nik, faceImage: SELFIE });

async function verify(key: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await gw.app.request('POST', '/v1/verifications', { key, body, headers });
  return { res, body: (await res.json()) as Record<string, any> };
}

describe('POST /v1/verifications (sync, through the simulators)', () => {
  it('when AccuAuth answers 01, then the verification passes with one charged attempt, headers and a ledger row', async () => {
    const t = await gw.tenant();
    const { res, body } = await verify(t.key, {
      customerId: t.customerId,
      check: 'identity_selfie',
      input: selfie(ACCUAUTH_SANDBOX.results['01']!),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('verigate-provider')).toBe('accuauth');
    expect(res.headers.get('verigate-attempts')).toBe('1');
    expect(body).toMatchObject({
      object: 'verification',
      status: 'passed',
      provider: 'accuauth',
      check: 'identity_selfie',
      livemode: false,
    });
    expect(body.result).toMatchObject({ code: 'identity_match', data: { resultCode: '01' } });
    expect(body.attempts).toEqual([
      expect.objectContaining({
        provider: 'accuauth',
        operation: 'id_selfie',
        suiteCode: 'identity_match',
        charged: 'charged',
        upstream: expect.objectContaining({ status: 200, code: '01' }),
      }),
    ]);
    expect(body.attempts[0].upstream.requestId).toMatch(/^SFBw/);
    expect(await ledgerCounts(gw.app, t.orgId)).toEqual({ charged: 1, free: 0, unknown: 0, total: 1 });
  });

  it.each([
    ['02', 'failed', 'identity_mismatch', 'charged'],
    ['05', 'not_found', 'identity_not_found', 'free'],
    ['08', 'failed', 'no_face_detected', 'free'],
    ['03', 'not_found', 'identity_not_found', 'free'],
  ])(
    'when AccuAuth answers %s and no other provider serves the check, then the verification ends %s (%s, %s)',
    async (code, status, suiteCode, charged) => {
      const t = await gw.tenant();
      const { res, body } = await verify(t.key, {
        customerId: t.customerId,
        check: 'identity_selfie',
        input: selfie(ACCUAUTH_SANDBOX.results[code]!),
      });
      expect(res.status).toBe(200);
      expect(body).toMatchObject({ status, result: { code: suiteCode } });
      expect(body.attempts).toHaveLength(1);
      expect(body.attempts[0].charged).toBe(charged);
    },
  );

  it('when every candidate fails (AccuAuth 06), then the error names each provider with its reason and the row is recorded', async () => {
    const t = await gw.tenant();
    const { res, body } = await verify(t.key, {
      customerId: t.customerId,
      check: 'identity_selfie',
      input: selfie(ACCUAUTH_SANDBOX.results['06']!),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('verigate-attempts')).toBe('1');
    expect(body.error).toMatchObject({
      code: 'provider_unavailable',
      provider: 'accuauth',
      charged: 'free',
      upstream: { status: 200, code: '06' },
      // The engine could have answered had the input carried a selfie bundle: it says so instead of staying silent.
      reasons: [
        { provider: 'accuauth', outcome: 'attempted', reason: 'provider_unavailable' },
        { provider: 'inhouse', outcome: 'skipped', reason: 'input_not_accepted' },
      ],
    });
    const stored = await gw.app.request('GET', `/v1/verifications/${body.error.verification}`, { key: t.key });
    expect(await stored.json()).toMatchObject({
      status: 'error',
      error: { code: 'provider_unavailable' },
      attempts: [{ suiteCode: 'provider_unavailable' }],
    });
    expect(await ledgerCounts(gw.app, t.orgId)).toEqual({ charged: 0, free: 1, unknown: 0, total: 1 });
  });

  it('when a name check matches, then it is answered by AccuAuth id_name', async () => {
    const t = await gw.tenant();
    const { body } = await verify(t.key, {
      customerId: t.customerId,
      check: 'name_check',
      input: { idNumber: ACCUAUTH_SANDBOX.plain, name: 'Budi Santoso' },
    });
    expect(body).toMatchObject({ status: 'passed', provider: 'accuauth', attempts: [{ operation: 'id_name', charged: 'charged' }] });
  });

  it('when a document, a face match and a liveness video go to Lapis, then each is answered and billed as the simulator bills it', async () => {
    const t = await gw.tenant();
    const doc = await verify(t.key, { customerId: t.customerId, check: 'document', input: { front: { base64: pngBase64() } } });
    expect(doc.body).toMatchObject({ status: 'passed', provider: 'lapis', result: { code: 'document_accepted' } });
    const documentId = doc.body.result.data.documentId as string;
    expect(documentId).toBeTruthy();
    const face = await verify(t.key, {
      customerId: t.customerId,
      check: 'face_match',
      input: { documentId, face: { base64: pngBase64('lapis-mismatch') } },
    });
    expect(face.body).toMatchObject({ status: 'failed', result: { code: 'face_mismatch' }, attempts: [{ charged: 'charged' }] });
    const live = await verify(t.key, {
      customerId: t.customerId,
      check: 'liveness',
      input: { documentId, video: { base64: `data:video/mp4;base64,${Buffer.from('ftypisom').toString('base64')}` } },
    });
    expect(live.body).toMatchObject({ status: 'passed', result: { code: 'liveness_passed' } });
    const ledger = await ledgerCounts(gw.app, t.orgId);
    expect(ledger.charged).toBe(3);
  });

  it('when a hosted session is asked for, then iDenfy returns a redirect URL and expiry, the verification is pending and its charge unknown until it ends', async () => {
    const t = await gw.tenant();
    const { res, body } = await verify(t.key, { customerId: t.customerId, check: 'hosted_session', input: { expirySeconds: 600 } });
    expect(res.status).toBe(200);
    expect(body).toMatchObject({
      status: 'pending',
      provider: 'idenfy',
      result: { code: 'session_created' },
      attempts: [{ operation: 'token', charged: 'unknown' }],
    });
    expect(body.result.data.redirectUrl).toMatch(/^http/);
    expect(Date.parse(body.result.data.expiresAt)).toBeGreaterThan(Date.now());
  });
});

describe('idempotency and the ledger', () => {
  it('when the same Idempotency-Key is replayed, then the reply is identical and no ledger row or upstream call is added', async () => {
    const t = await gw.tenant();
    const before = gw.sims.accuauth.billing().totalCalls;
    const request = { customerId: t.customerId, check: 'identity_selfie', input: selfie(ACCUAUTH_SANDBOX.results['01']!) };
    const first = await gw.app.request('POST', '/v1/verifications', { key: t.key, body: request, headers: { 'idempotency-key': 'k-1' } });
    const second = await gw.app.request('POST', '/v1/verifications', { key: t.key, body: request, headers: { 'idempotency-key': 'k-1' } });
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('verigate-provider')).toBe('accuauth');
    expect(await second.text()).toBe(await first.text());
    expect(gw.sims.accuauth.billing().totalCalls - before).toBe(1);
    expect(await ledgerCounts(gw.app, t.orgId)).toEqual({ charged: 1, free: 0, unknown: 0, total: 1 });
  });

  it('when a run died after its charged call but before storing its reply, then the retry resumes it without calling again', async () => {
    const t = await gw.tenant();
    const request = { customerId: t.customerId, check: 'identity_selfie', input: selfie(ACCUAUTH_SANDBOX.results['01']!) };
    const first = (await (
      await gw.app.request('POST', '/v1/verifications', { key: t.key, body: request, headers: { 'idempotency-key': 'crash-1' } })
    ).json()) as any;
    // What a crash between the recorded attempt and the stored reply leaves behind.
    await gw.app.deps.db.query(
      "UPDATE verifications SET status = 'processing', completed_at = NULL, result_code = NULL, result = NULL WHERE id = $1",
      [first.id],
    );
    await gw.app.deps.db.query('DELETE FROM idempotency_keys WHERE org_id = $1', [t.orgId]);
    const calls = gw.sims.accuauth.billing().totalCalls;

    const retry = await gw.app.request('POST', '/v1/verifications', {
      key: t.key,
      body: request,
      headers: { 'idempotency-key': 'crash-1' },
    });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(await retry.json()).toMatchObject({
      id: first.id,
      status: 'passed',
      result: { code: 'identity_match', data: { resultCode: '01' } },
      attempts: [{ charged: 'charged' }],
    });
    expect(gw.sims.accuauth.billing().totalCalls).toBe(calls);
    expect(await ledgerCounts(gw.app, t.orgId)).toEqual({ charged: 1, free: 0, unknown: 0, total: 1 });
  });

  it('when several checks ran, then GET /v1/usage groups them by day, provider and check with counts and cost, also as CSV', async () => {
    const t = await gw.tenant();
    await verify(t.key, { customerId: t.customerId, check: 'identity_selfie', input: selfie(ACCUAUTH_SANDBOX.results['01']!) });
    await verify(t.key, { customerId: t.customerId, check: 'identity_selfie', input: selfie(ACCUAUTH_SANDBOX.results['02']!) });
    await verify(t.key, { customerId: t.customerId, check: 'identity_selfie', input: selfie(ACCUAUTH_SANDBOX.results['05']!) });
    const res = await gw.app.request('GET', '/v1/usage', { key: t.key });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: unknown[] };
    expect(body.data).toEqual([
      expect.objectContaining({
        provider: 'accuauth',
        check: 'identity_selfie',
        sandbox: true,
        calls: 3,
        charged: 2,
        free: 1,
        unknown: 0,
        cost: 7000,
        currency: 'IDR',
      }),
    ]);
    const csv = await gw.app.request('GET', '/v1/usage?format=csv', { key: t.key });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe('day,provider,check,sandbox,calls,charged,free,unknown,cost,unknownExposure,currency');
    expect(lines[1]).toMatch(/^\d{4}-\d{2}-\d{2},accuauth,identity_selfie,true,3,2,1,0,7000,0,IDR$/);
  });

  it('when the gateway has run many verifications, then charged ledger rows equal the simulators\u2019 charged counters', async () => {
    const { rows } = await gw.app.deps.db.query<{ provider: string; n: number }>(
      "SELECT provider, count(*) AS n FROM ledger_entries WHERE charged = 'charged' GROUP BY provider",
    );
    const charged = (p: string) => Number(rows.find((r) => r.provider === p)?.n ?? 0);
    expect(charged('accuauth')).toBe(gw.sims.accuauth.billing().totalCharged);
    expect(charged('lapis')).toBe(gw.sims.lapis.billing().totalCharged);
  });
});

describe('reading verifications', () => {
  it('when another org asks for a verification, then it is a 404 resource_not_found', async () => {
    const a = await gw.tenant();
    const b = await gw.tenant();
    const { body } = await verify(a.key, { customerId: a.customerId, check: 'identity_selfie', input: selfie(ACCUAUTH_SANDBOX.plain) });
    const own = await gw.app.request('GET', `/v1/verifications/${body.id}`, { key: a.key });
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ id: body.id, status: 'passed', attempts: [{ provider: 'accuauth' }] });
    const other = await gw.app.request('GET', `/v1/verifications/${body.id}`, { key: b.key });
    expect(other.status).toBe(404);
    expect(((await other.json()) as any).error.code).toBe('resource_not_found');
  });

  it('when verifications are listed by customer and status, then pages follow the cursor', async () => {
    const t = await gw.tenant();
    for (const code of ['01', '02', '01'])
      await verify(t.key, { customerId: t.customerId, check: 'identity_selfie', input: selfie(ACCUAUTH_SANDBOX.results[code]!) });
    const passed = (await (
      await gw.app.request('GET', `/v1/verifications?customerId=${t.customerId}&status=passed&limit=1`, { key: t.key })
    ).json()) as any;
    expect(passed.data).toHaveLength(1);
    expect(passed.hasMore).toBe(true);
    const next = (await (
      await gw.app.request('GET', `/v1/verifications?status=passed&limit=1&startingAfter=${passed.nextCursor}`, { key: t.key })
    ).json()) as any;
    expect(next.data).toHaveLength(1);
    expect(next.hasMore).toBe(false);
    expect(next.data[0].id).not.toBe(passed.data[0].id);
    const failed = (await (await gw.app.request('GET', '/v1/verifications?status=failed', { key: t.key })).json()) as any;
    expect(failed.data.map((v: any) => v.result.code)).toEqual(['identity_mismatch']);
  });
});

describe('bad input', () => {
  let t: { key: string; customerId: string };
  beforeAll(async () => {
    t = await gw.tenant();
  });
  const bad = async (body: unknown) => {
    const before = gw.sims.accuauth.billing().totalCalls;
    const { res, body: reply } = await verify(t.key, body);
    expect(gw.sims.accuauth.billing().totalCalls).toBe(before);
    return { status: res.status, error: reply.error };
  };

  it('when the check is unknown, then 400 invalid_request names it', async () => {
    const r = await bad({ customerId: t.customerId, check: 'palm_reading', input: {} });
    expect(r).toMatchObject({ status: 400, error: { code: 'invalid_request', param: 'check' } });
    expect(r.error.message).toContain('palm_reading');
  });

  it('when the provider is unknown, then 400 invalid_request names it', async () => {
    const r = await bad({ customerId: t.customerId, check: 'identity_selfie', provider: 'acme', input: selfie(ACCUAUTH_SANDBOX.plain) });
    expect(r).toMatchObject({ status: 400, error: { code: 'invalid_request', param: 'provider' } });
    expect(r.error.message).toContain('acme');
  });

  it('when the pinned provider cannot serve the check, then 400 names the provider', async () => {
    const r = await bad({ customerId: t.customerId, check: 'identity_selfie', provider: 'lapis', input: selfie(ACCUAUTH_SANDBOX.plain) });
    expect(r).toMatchObject({ status: 400, error: { code: 'invalid_request', param: 'provider' } });
  });

  it('when the body has an unknown field or the input a bad one, then 400 names the field', async () => {
    expect(
      await bad({ customerId: t.customerId, check: 'identity_selfie', input: selfie(ACCUAUTH_SANDBOX.plain), kycTier: 3 }),
    ).toMatchObject({
      status: 400,
      error: { param: 'kycTier' },
    });
    expect(await bad({ customerId: t.customerId, check: 'identity_selfie', input: selfie('123') })).toMatchObject({
      status: 400,
      error: { param: 'input.idNumber' },
    });
    expect(
      await bad({ customerId: t.customerId, check: 'name_check', input: { idNumber: ACCUAUTH_SANDBOX.plain, name: 'x', extra: 1 } }),
    ).toMatchObject({
      status: 400,
      error: { param: 'input.extra' },
    });
  });

  it('when the customer belongs to another org, then 404 and no upstream call', async () => {
    const other = await gw.tenant();
    expect(await bad({ customerId: other.customerId, check: 'identity_selfie', input: selfie(ACCUAUTH_SANDBOX.plain) })).toMatchObject({
      status: 404,
      error: { code: 'resource_not_found', param: 'customerId' },
    });
  });

  it('when the key lacks verifications:write, then the request is refused', async () => {
    const viewer = await gw.app.tenant(['verifications:view']);
    const res = await gw.app.request('POST', '/v1/verifications', {
      key: viewer.key,
      body: { customerId: t.customerId, check: 'identity_selfie', input: {} },
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.code).toBe('missing_scope');
  });
});
