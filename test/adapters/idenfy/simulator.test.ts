import { copyFileSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createToken, fetchData, fetchStatus, parseWebhook, verifyWebhookSignature, webhookFacts } from '../../../adapters/idenfy';
import { idenfySimulator, type IdenfyPlan, type IdenfySimulatorOptions } from '../../../adapters/idenfy/simulator';
import { listen, type RunningSimulator, type SimulatorState } from '../../../adapters/simulator-kit';
import type { CallContext, UpstreamFacts } from '../../../adapters/types';
import { loadErrorMap, resolveCharge, type ErrorMap } from '../../../src/gateway/error-map';

const SIGNING_KEY = 'sim-webhook-key';
const CREDENTIALS = { apiKey: 'sim-idenfy-key', apiSecret: 'sim-idenfy-secret' };

interface Received {
  eventType: string | undefined;
  signature: string | undefined;
  body: Buffer;
}

/** A bare node:http endpoint standing in for the gateway's webhook route. */
async function startReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        eventType: req.headers['idenfy-event-type'] as string,
        signature: req.headers['idenfy-signature'] as string,
        body: Buffer.concat(chunks),
      });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/idenfy`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface Harness {
  sim: RunningSimulator;
  state: SimulatorState;
  ctx: CallContext;
  received: Received[];
  close(): Promise<void>;
}

async function harness(options: IdenfySimulatorOptions = {}): Promise<Harness> {
  const receiver = await startReceiver();
  const { app, state } = idenfySimulator({ signingKey: SIGNING_KEY, webhookUrl: receiver.url, ...options });
  const sim = await listen(app);
  return {
    sim,
    state,
    ctx: { baseUrl: sim.url, credentials: CREDENTIALS, timeoutMs: 3000 },
    received: receiver.received,
    close: async () => {
      await sim.close();
      await receiver.close();
    },
  };
}

let map: ErrorMap;
beforeAll(() => {
  // Only this vendor's table: other vendors' files may be mid-edit.
  const dir = mkdtempSync(path.join(tmpdir(), 'idenfy-map-'));
  copyFileSync(path.join(__dirname, '..', '..', '..', 'config', 'error-map', 'idenfy.json'), path.join(dir, 'idenfy.json'));
  map = loadErrorMap(dir);
});
const classify = (operation: string, facts: UpstreamFacts) => map.classify('idenfy', operation, facts).row;

const postJson = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const complete = async (h: Harness, authToken: string) => postJson(`${h.sim.url}/sim/hosted/${authToken}/complete`, {});

/** The webhooks received for one session, each verified, parsed and turned into facts. */
function webhooksFor(h: Harness, scanRef: string) {
  return h.received
    .map((r) => {
      expect(verifyWebhookSignature(r.body, r.signature, [SIGNING_KEY])).toBe(true);
      const parsed = parseWebhook(r.body, r.eventType);
      if (!parsed.ok) throw new Error(parsed.detail);
      return parsed;
    })
    .filter((p) => p.payload.scanRef === scanRef)
    .map((p) => ({ eventType: p.eventType, final: p.payload.final, facts: webhookFacts(p.eventType, p.payload) }));
}

const SCENARIOS: Array<[string, string[], string[], string]> = [
  ['approved', ['IDENTIFICATION_AUTO_FINISHED'], ['session_approved'], 'APPROVED'],
  ['denied', ['IDENTIFICATION_AUTO_FINISHED'], ['session_denied'], 'DENIED'],
  ['suspected', ['IDENTIFICATION_AUTO_FINISHED'], ['session_suspected'], 'SUSPECTED'],
  ['review', ['IDENTIFICATION_AUTO_FINISHED', 'IDENTIFICATION_MANUAL_FINISHED'], ['session_in_review', 'session_approved'], 'APPROVED'],
  ['expired', ['IDENTIFICATION_EXPIRED'], ['session_expired'], 'EXPIRED'],
  ['cancelled', ['IDENTIFICATION_CANCELLED'], ['session_cancelled'], 'EXPIRED'],
  ['no-face', ['IDENTIFICATION_AUTO_FINISHED'], ['session_denied'], 'DENIED'],
  ['doc-fake', ['IDENTIFICATION_AUTO_FINISHED'], ['session_denied'], 'DENIED'],
];

describe('iDenfy adapter against its simulator: scenarios', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h?.close());

  it("when a token is created, then it looks like iDenfy's and its redirectUrl opens the simulator's hosted page", async () => {
    const out = await createToken(h.ctx, { clientId: 'cust-page', firstName: 'Budi', country: 'id', expirySeconds: 900 });
    expect(out.facts.httpStatus).toBe(201);
    expect(out.data?.authToken).toMatch(/^[A-Za-z0-9]{26,40}$/);
    expect(out.data?.scanRef).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(out.data?.redirectUrl.startsWith(`${h.sim.url}/api/v2/redirect?authToken=`)).toBe(true);
    const page = await fetch(out.data?.redirectUrl ?? '');
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('<form method="post"');
    expect(html).toContain('Complete');
  });

  it('when the token answer is read raw, then it echoes the request the way iDenfy does', async () => {
    const auth = `Basic ${Buffer.from(`${CREDENTIALS.apiKey}:${CREDENTIALS.apiSecret}`).toString('base64')}`;
    const { status, body } = await postJson(
      `${h.sim.url}/api/v2/token`,
      { clientId: 'cust-echo', firstName: 'Siti', country: 'ID', externalRef: 'ver_1' },
      { Authorization: auth },
    );
    expect(status).toBe(201);
    expect(body).toMatchObject({
      message: 'Token created successfully',
      clientId: 'cust-echo',
      firstName: 'SITI',
      country: 'ID',
      externalRef: 'ver_1',
      tokenType: 'IDENTIFICATION',
      expiryTime: 3600,
      sessionLength: 600,
      documents: ['ID_CARD', 'PASSPORT'],
    });
  });

  it.each(SCENARIOS)(
    'when the %s scenario is completed, then the signed webhooks %j arrive and map to %j',
    async (scenario, events, codes, overall) => {
      const token = await createToken(h.ctx, { clientId: `cust-1-${scenario}`, externalRef: `ver_${scenario}` });
      const session = token.data;
      if (!session) throw new Error('no session');
      const done = await complete(h, session.authToken);
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ scenario, status: overall });

      const hooks = webhooksFor(h, session.scanRef);
      expect(hooks.map((w) => w.eventType)).toEqual(events);
      expect(hooks.map((w) => classify('webhook', w.facts).suiteCode)).toEqual(codes);
      expect(hooks.at(-1)?.final).toBe(true);

      // The status fallback agrees with the last webhook about the charge: its verdict is read by the same webhook rows.
      const status = await fetchStatus(h.ctx, session.scanRef);
      expect(status.facts.result).toBe(overall);
      const lastHook = hooks.at(-1);
      if (!lastHook) throw new Error('no webhook');
      for (const plan of ['pay_per_approved', 'pay_per_completed']) {
        expect(resolveCharge(classify('webhook', { result: status.facts.result }), plan)).toBe(
          resolveCharge(classify('webhook', lastHook.facts), plan),
        );
      }
    },
  );

  it('when the scenario is named by firstName instead of clientId, then it is played too', async () => {
    const token = await createToken(h.ctx, { clientId: 'cust-plain', firstName: 'Ana-denied' });
    const done = await complete(h, token.data?.authToken ?? '');
    expect(done.body).toMatchObject({ scenario: 'denied', status: 'DENIED' });
  });

  it('when the hosted form is submitted by a browser, then it is sent on to the success URL', async () => {
    const token = await createToken(h.ctx, { clientId: 'cust-browser', successUrl: 'https://shop.example/done' });
    const res = await fetch(`${h.sim.url}/sim/hosted/${token.data?.authToken}/complete`, { method: 'POST', redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('https://shop.example/done');
  });

  it('when a session is completed twice, then the second is refused as TOKEN_NOT_VALID', async () => {
    const token = await createToken(h.ctx, { clientId: 'cust-twice' });
    await complete(h, token.data?.authToken ?? '');
    const again = await complete(h, token.data?.authToken ?? '');
    expect(again).toMatchObject({ status: 409, body: { identifier: 'TOKEN_NOT_VALID' } });
  });

  it('when the data of an approved session is fetched, then the document data carries the prefilled names', async () => {
    const token = await createToken(h.ctx, { clientId: 'cust-data', firstName: 'Siti', lastName: 'Rahayu' });
    const before = await fetchData(h.ctx, token.data?.scanRef ?? '');
    expect(before.data?.firstName).toBeNull();
    await complete(h, token.data?.authToken ?? '');
    const after = await fetchData(h.ctx, token.data?.scanRef ?? '');
    expect(after.facts).toMatchObject({ httpStatus: 200, requestId: token.data?.scanRef });
    expect(after.data).toMatchObject({ firstName: 'SITI', lastName: 'RAHAYU', documentType: 'ID_CARD' });
  });

  it('when the status of an unknown scanRef is asked, then TOKEN_NOT_VALID maps to provider_session_unavailable', async () => {
    const out = await fetchStatus(h.ctx, '00000000-0000-0000-0000-000000000000');
    expect(out.facts).toMatchObject({ httpStatus: 400, code: 'TOKEN_NOT_VALID' });
    expect(classify('status', out.facts).suiteCode).toBe('provider_session_unavailable');
  });

  it('when the hosted page is opened with an unknown token, then it is a 404 page', async () => {
    expect((await fetch(`${h.sim.url}/api/v2/redirect?authToken=nope`)).status).toBe(404);
  });
});

describe('iDenfy simulator: billing matches the mapping table', () => {
  it.each([
    ['pay_per_approved', 2],
    ['pay_per_completed', 6],
  ] as Array<[IdenfyPlan, number]>)(
    "when every scenario runs on %s, then the table's charges equal the simulator's %i debits",
    async (plan, expected) => {
      const h = await harness({ plan });
      try {
        let charged = 0;
        for (const [scenario] of SCENARIOS) {
          const token = await createToken(h.ctx, { clientId: `cust-bill-${scenario}` });
          if (resolveCharge(classify('token', token.facts), plan) === 'charged') charged += 1;
          await complete(h, token.data?.authToken ?? '');
          for (const hook of webhooksFor(h, token.data?.scanRef ?? '')) {
            if (resolveCharge(classify('webhook', hook.facts), plan) === 'charged') charged += 1;
          }
        }
        const billing = (await (await fetch(`${h.sim.url}/__sim/billing`)).json()) as {
          totalCharged: number;
          scenarios: Record<string, { calls: number }>;
        };
        expect(charged).toBe(expected);
        expect(billing.totalCharged).toBe(charged);
        expect(billing.scenarios.token?.calls).toBe(SCENARIOS.length);
      } finally {
        await h.close();
      }
    },
  );
});

describe('iDenfy simulator: account and request errors', () => {
  let h: Harness;
  let clock = Date.parse('2025-01-01T00:00:00Z');
  const auth = { Authorization: `Basic ${Buffer.from(`${CREDENTIALS.apiKey}:${CREDENTIALS.apiSecret}`).toString('base64')}` };
  const account = (patch: Record<string, unknown>) => postJson(`${h.sim.url}/__sim/idenfy/account`, patch);
  const faults = (patch: Record<string, unknown>) => postJson(`${h.sim.url}/__sim/faults`, patch);
  const rawToken = async (body: string | undefined) => {
    const res = await fetch(`${h.sim.url}/api/v2/token`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeEach(async () => {
    h = await harness({ now: () => clock });
  });
  afterEach(() => h.close());

  it('when the credentials are wrong, then 401 without identifier maps to provider_auth_failed as account health', async () => {
    const out = await createToken({ ...h.ctx, credentials: { apiKey: 'sim-idenfy-key', apiSecret: 'wrong' } }, { clientId: 'cust-1' });
    expect(out.facts).toEqual({ httpStatus: 401, message: 'Invalid authorization credentials' });
    expect(classify('token', out.facts)).toMatchObject({
      suiteCode: 'provider_auth_failed',
      accountHealth: 'credentials_rejected',
      breaker: false,
    });
  });

  it('when the quotaExhausted fault is on, then 402 maps to funds exhausted: account health, failover, no breaker', async () => {
    await faults({ quotaExhausted: true });
    const out = await createToken(h.ctx, { clientId: 'cust-1' });
    expect(out.facts).toEqual({ httpStatus: 402, message: 'Action not allowed due to lack of funds or exceeded limit.' });
    expect(classify('token', out.facts)).toMatchObject({
      suiteCode: 'provider_quota_exhausted',
      accountHealth: 'funds_exhausted',
      failover: true,
      breaker: false,
      charged: 'free',
    });
  });

  it('when the last credit is spent by an approval, then the next token is refused with 402', async () => {
    await account({ credits: 1 });
    const denied = await createToken(h.ctx, { clientId: 'cust-a-denied' });
    await complete(h, denied.data?.authToken ?? '');
    const approved = await createToken(h.ctx, { clientId: 'cust-a-approved' });
    await complete(h, approved.data?.authToken ?? '');
    const refused = await createToken(h.ctx, { clientId: 'cust-a-approved' });
    expect(refused.facts.httpStatus).toBe(402);
  });

  it('when the partner is inactive, then 403 maps to account_disabled', async () => {
    await account({ partnerActive: false });
    const out = await createToken(h.ctx, { clientId: 'cust-1' });
    expect(out.facts).toEqual({ httpStatus: 403, message: 'Partner inactive' });
    expect(classify('token', out.facts)).toMatchObject({ suiteCode: 'provider_account_disabled', accountHealth: 'account_disabled' });
  });

  it('when the hourly limit is used up, then 429 TOO_MANY_REQUESTS maps to a retryable rate limit', async () => {
    await account({ rateLimitPerHour: 1 });
    await createToken(h.ctx, { clientId: 'cust-1' });
    const out = await createToken(h.ctx, { clientId: 'cust-1' });
    expect(out.facts).toMatchObject({ httpStatus: 429, code: 'TOO_MANY_REQUESTS' });
    expect(classify('token', out.facts)).toMatchObject({ suiteCode: 'provider_rate_limited', retryable: true, breaker: false });
  });

  it.each([
    ['empty', undefined, 'JSON_ERROR', 'An error occurred while parsing/constructing JSON'],
    ['an array', '[]', 'VALIDATION_ERROR', 'Invalid data. Expected a dictionary, but got list.'],
    ['a string', '"x"', 'VALIDATION_ERROR', 'Invalid data. Expected a dictionary, but got str.'],
    ['null', 'null', 'MISSING_VALUE', 'Some of required values are missing'],
  ])(
    "when the body is %s, then iDenfy's parse error comes back and maps to provider_request_rejected",
    async (_, body, identifier, message) => {
      const out = await rawToken(body);
      expect(out).toEqual({ status: 400, body: { identifier, message } });
      expect(classify('token', { httpStatus: 400, code: identifier, message }).suiteCode).toBe('provider_request_rejected');
    },
  );

  it.each([
    [{}, 'MISSING_VALUE', 'clientId'],
    [{ clientId: 'c', country: 'IDN' }, 'BAD_VALUE', 'country'],
    [{ clientId: 'c', expiryTime: 0 }, 'BAD_VALUE', 'expiryTime'],
    [{ clientId: 'c', sessionLength: 30 }, 'BAD_VALUE', 'sessionLength'],
    [{ clientId: 'c', callbackUrl: 'http://example.com' }, 'BAD_VALUE', 'callbackUrl'],
    [{ clientId: 'c', firstName: 'R2D2' }, 'BAD_VALUE', 'firstName'],
    [{ clientId: 'c', dateOfBirth: '17-01-1990' }, 'BAD_VALUE', 'dateOfBirth'],
    [{ clientId: 'c', documents: ['SELFIE'] }, 'BAD_VALUE', 'documents'],
  ])('when the token body is %j, then 400 %s names the field %s', async (body, identifier, field) => {
    const out = await rawToken(JSON.stringify(body));
    expect(out.status).toBe(400);
    expect(out.body.identifier).toBe(identifier);
    expect(out.body.message).toContain(`'${field}'`);
    expect(classify('token', { httpStatus: 400, code: identifier }).suiteCode).toBe('invalid_request');
  });

  it('when a callback URL is not enabled for the partner, then a 400 business error refuses it', async () => {
    await account({ customCallbackUrl: false });
    const out = await createToken(h.ctx, { clientId: 'cust-1', callbackUrl: 'https://gateway.example/webhooks/idenfy' });
    expect(out.facts).toEqual({
      httpStatus: 400,
      code: 'VALIDATION_ERROR',
      message: 'Custom callback URL is not enabled for this partner.',
    });
  });

  it('when the token endpoint is called with GET, then 405 METHOD_NOT_ALLOWED', async () => {
    const res = await fetch(`${h.sim.url}/api/v2/token`, { headers: auth });
    expect(res.status).toBe(405);
    expect(await res.json()).toMatchObject({ identifier: 'METHOD_NOT_ALLOWED' });
  });

  it('when a token outlives its expiryTime unused, then its status reads EXPIRED and nothing is billed', async () => {
    const token = await createToken(h.ctx, { clientId: 'cust-late', expirySeconds: 60 });
    clock += 61_000;
    const status = await fetchStatus(h.ctx, token.data?.scanRef ?? '');
    expect(status.facts.result).toBe('EXPIRED');
    expect(classify('status', status.facts)).toMatchObject({ suiteCode: 'request_completed', charged: 'free' });
    expect(classify('webhook', { result: status.facts.result })).toMatchObject({ suiteCode: 'session_expired', charged: 'free' });
    expect(h.state.billing().totalCharged).toBe(0);
  });

  it('when the simulator hangs after receiving, then the adapter reports a timeout', async () => {
    await faults({ hangAfterReceive: true });
    const out = await createToken({ ...h.ctx, timeoutMs: 200 }, { clientId: 'cust-1' });
    expect(out.facts).toMatchObject({ transport: 'timeout' });
  });

  it('when the simulator answers a body that is not JSON, then the adapter reports malformed_body', async () => {
    await faults({ malformedBody: true });
    const out = await createToken(h.ctx, { clientId: 'cust-1' });
    expect(out.facts).toMatchObject({ transport: 'malformed_body' });
  });

  it('when the simulator fails, then INTERNAL_ERROR maps to provider_unavailable and counts for the breaker', async () => {
    await faults({ serverError: true });
    const out = await createToken(h.ctx, { clientId: 'cust-1' });
    expect(out.facts).toMatchObject({ httpStatus: 500, code: 'INTERNAL_ERROR' });
    expect(classify('token', out.facts)).toMatchObject({ suiteCode: 'provider_unavailable', breaker: true, failover: true });
  });
});
