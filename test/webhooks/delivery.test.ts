import type { Caller } from '../../src/deps';
import type { Queryable } from '../../src/store/db';
import { announceEvents } from '../../src/webhooks/announce';
import { createEndpoint } from '../../src/webhooks/endpoints';
import { insertEndpoint } from '../../src/webhooks/endpoints-repo';
import { recordEvent } from '../../src/webhooks/events-repo';
import { sweepWebhooks } from '../../src/webhooks/fan-out';
import { verifySignature } from '../../src/webhooks/signature';
import { testDatabases } from '../helpers/databases';
import { startReceiver, type Receiver } from './receiver';
import { startWebhookHarness, until, webhooksConfig, type WebhookHarness } from './support';

jest.setTimeout(60_000);

interface Endpoint {
  id: string;
  secret: string;
}

async function tenantWithEndpoint(h: WebhookHarness, url: string, enabledEvents: string[] = ['*']) {
  const t = await h.app.tenant(['webhooks:manage', 'events:view']);
  const res = await h.app.request('POST', '/v1/webhook-endpoints', { key: t.key, body: { url, enabledEvents } });
  expect(res.status).toBe(201);
  const endpoint = (await res.json()) as Endpoint;
  return { ...t, endpoint };
}

/** Records `n` verification.completed events of the org, one transaction each, and announces them. */
async function emit(
  h: WebhookHarness,
  orgId: string,
  n: number,
  type: 'verification.completed' | 'kyc.tier_changed' = 'verification.completed',
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(
      await h.app.deps.db.transaction((tx) =>
        recordEvent(tx, { orgId, type, sandbox: true, data: { verificationId: `ver_${i}`, status: 'passed' } }),
      ),
    );
  }
  await announceEvents(h.app.deps, ids);
  return ids;
}

const deliveriesOf = async (h: WebhookHarness, key: string, endpointId: string) =>
  ((await (await h.app.request('GET', `/v1/webhook-endpoints/${endpointId}/deliveries?limit=100`, { key })).json()) as { data: any[] })
    .data;

describe.each(testDatabases())('webhook deliveries on $name', (engine) => {
  let h: WebhookHarness;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    const db = await engine.open();
    try {
      h = await startWebhookHarness(webhooksConfig({ delivery: { disableAfterHours: 1 } }), db);
    } catch (err) {
      await db.close();
      throw err;
    }
  });
  afterAll(async () => {
    await h?.close();
    await h?.app.deps.db.close();
    await receiver?.close();
  });
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.answer = () => 200;
  });

  it('when an event is recorded and announced, then the endpoint gets it once, signed with its secret, carrying ids and statuses only', async () => {
    const t = await tenantWithEndpoint(h, `${receiver.url}/hooks`);
    const [eventId] = await emit(h, t.orgId, 1);
    await receiver.delivered(1);
    await until('the delivery is recorded', async () => (await deliveriesOf(h, t.key, t.endpoint.id))[0]?.status === 'delivered');
    const [got] = receiver.received;
    expect(got!.eventId).toBe(eventId);
    expect(verifySignature(got!.body, got!.signature, [t.endpoint.secret])).toMatchObject({ ok: true });
    const body = JSON.parse(got!.body);
    expect(body).toEqual({
      id: eventId,
      object: 'event',
      type: 'verification.completed',
      livemode: false,
      createdAt: expect.any(String),
      data: { verificationId: 'ver_0', status: 'passed' },
    });
    const [delivery] = await deliveriesOf(h, t.key, t.endpoint.id);
    expect(delivery).toMatchObject({
      eventId,
      status: 'delivered',
      series: 1,
      attempts: [{ series: 1, attempt: 1, httpStatus: 200, error: null }],
    });
    // GET /v1/events shows the same JSON the endpoint got.
    const shown = await (await h.app.request('GET', `/v1/events/${eventId}`, { key: t.key })).json();
    expect(shown).toEqual(body);
  });

  it('when the endpoint is down for a while, then tries back off and each event is delivered exactly once per event id', async () => {
    const t = await tenantWithEndpoint(h, receiver.url);
    // Down for 1.5 s and, however slow the machine, until every event has been refused at least once.
    const upAt = Date.now() + 1500;
    const refused = new Set<string>();
    receiver.answer = ({ eventId }) => {
      if (Date.now() >= upAt && refused.has(eventId)) return 200;
      refused.add(eventId);
      return 503;
    };
    const ids = await emit(h, t.orgId, 10);
    await receiver.delivered(10);
    await until('every delivery is recorded', async () =>
      (await deliveriesOf(h, t.key, t.endpoint.id)).every((d) => d.status === 'delivered'),
    );
    const delivered = receiver.received.filter((r) => r.status === 200).map((r) => r.eventId);
    expect(delivered.sort()).toEqual([...ids].sort());
    expect(receiver.received.filter((r) => r.status === 503).length).toBeGreaterThanOrEqual(10);
    for (const d of await deliveriesOf(h, t.key, t.endpoint.id)) {
      const tries = d.attempts as Array<{ attempt: number; at: string; httpStatus: number }>;
      expect(tries.at(-1)!.httpStatus).toBe(200);
      expect(tries.slice(0, -1).every((a) => a.httpStatus === 503)).toBe(true);
      expect(tries.map((a) => a.attempt)).toEqual(tries.map((_, i) => i + 1));
      // Exponential: with a 100 ms base, try n+1 waits at least 100 * 2^(n-1) ms after try n.
      const gaps = tries.slice(1).map((a, i) => Date.parse(a.at) - Date.parse(tries[i]!.at));
      gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(100 * 2 ** i - 20));
    }
  });

  it('when a rotation overlaps, then deliveries carry both signatures; once it ends, the old secret no longer verifies', async () => {
    const t = await tenantWithEndpoint(h, receiver.url);
    const res = await h.app.request('POST', `/v1/webhook-endpoints/${t.endpoint.id}/rotate-secret`, {
      key: t.key,
      body: { overlapSeconds: 3600 },
    });
    expect(res.status).toBe(200);
    const rotated = (await res.json()) as { secret: string; previousSecretExpiresAt: string };
    expect(rotated.secret).not.toBe(t.endpoint.secret);
    await emit(h, t.orgId, 1);
    await receiver.delivered(1);
    const during = receiver.received[0]!;
    expect(during.signature.match(/v1=/g)).toHaveLength(2);
    expect(verifySignature(during.body, during.signature, [t.endpoint.secret]).ok).toBe(true);
    expect(verifySignature(during.body, during.signature, [rotated.secret]).ok).toBe(true);

    h.app.advance(3601_000); // the overlap is over (the worker shares the app's clock)
    try {
      await emit(h, t.orgId, 1);
      await receiver.delivered(2);
      const after = receiver.received[1]!;
      const now = new Date(Date.now() + 3601_000);
      expect(after.signature.match(/v1=/g)).toHaveLength(1);
      expect(verifySignature(after.body, after.signature, [rotated.secret], { now }).ok).toBe(true);
      expect(verifySignature(after.body, after.signature, [t.endpoint.secret], { now })).toEqual({
        ok: false,
        reason: 'no_matching_signature',
      });
    } finally {
      h.app.advance(-3601_000);
    }
  });

  it('when an endpoint is tested, then only that endpoint gets a webhook_endpoint.test event; a redelivery sends the same event again in a new series', async () => {
    const t = await tenantWithEndpoint(h, `${receiver.url}/a`);
    const other = await h.app.request('POST', '/v1/webhook-endpoints', {
      key: t.key,
      body: { url: `${receiver.url}/b`, enabledEvents: ['*'] },
    });
    expect(other.status).toBe(201);
    const sent = await h.app.request('POST', `/v1/webhook-endpoints/${t.endpoint.id}/test`, { key: t.key });
    expect(sent.status).toBe(202);
    const { id: eventId } = (await sent.json()) as { id: string };
    await receiver.delivered(1);
    await until('the test delivery is recorded', async () => (await deliveriesOf(h, t.key, t.endpoint.id))[0]?.status === 'delivered');
    expect(receiver.received.map((r) => JSON.parse(r.body).type)).toEqual(['webhook_endpoint.test']);
    expect(await deliveriesOf(h, t.key, ((await other.json()) as Endpoint).id)).toEqual([]);

    const [delivery] = await deliveriesOf(h, t.key, t.endpoint.id);
    const again = await h.app.request('POST', `/v1/webhook-endpoints/${t.endpoint.id}/deliveries/${delivery.id}/redeliver`, { key: t.key });
    expect(again.status).toBe(202);
    await receiver.delivered(2);
    expect(receiver.received.map((r) => r.eventId)).toEqual([eventId, eventId]);
    expect(receiver.received[1]!.body).toBe(receiver.received[0]!.body);
    await until('the second series is recorded', async () => (await deliveriesOf(h, t.key, t.endpoint.id))[0]?.attempts.length === 2);
    const [log] = await deliveriesOf(h, t.key, t.endpoint.id);
    expect(log).toMatchObject({ status: 'delivered', series: 2 });
    expect(log.attempts.map((a: { series: number; attempt: number }) => [a.series, a.attempt])).toEqual([
      [1, 1],
      [2, 1],
    ]);
  });

  it('when an event was committed but never announced (Redis was down, the process died), then the sweep fans it out', async () => {
    const t = await tenantWithEndpoint(h, receiver.url);
    const eventId = await h.app.deps.db.transaction((tx) =>
      recordEvent(tx, { orgId: t.orgId, type: 'kyc.tier_changed', sandbox: true, data: { customerId: 'cus_1', tier: 'basic' } }),
    );
    await new Promise((r) => setTimeout(r, 2100)); // past the announcement's grace
    const { deps } = h.app;
    const swept = await sweepWebhooks(deps);
    expect(swept.events).toBeGreaterThanOrEqual(1);
    await receiver.delivered(1);
    expect(receiver.received[0]!.eventId).toBe(eventId);
  });

  it('when a platform event is recorded, then only endpoints that named its type get it, whatever their org, and `*` does not include it', async () => {
    const named = await tenantWithEndpoint(h, `${receiver.url}/ops`, ['provider.state_changed']);
    await tenantWithEndpoint(h, `${receiver.url}/all`, ['*']);
    const eventId = await h.app.deps.db.transaction((tx) =>
      recordEvent(tx, { orgId: null, type: 'provider.state_changed', sandbox: true, data: { provider: 'accuauth', state: 'open' } }),
    );
    await announceEvents(h.app.deps, [eventId]);
    await receiver.delivered(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received.filter((r) => r.eventId === eventId)).toHaveLength(1);
    const listed = await (await h.app.request('GET', '/v1/events?type=provider.state_changed', { key: named.key })).json();
    expect(listed.data.map((e: { id: string }) => e.id)).toContain(eventId);
  });

  it('when an event carries personal data (a NIK, an image, a name), then it is refused before it is recorded', async () => {
    const t = await h.app.tenant(['events:view']);
    const record = (data: Record<string, unknown>) =>
      h.app.deps.db.transaction((tx) => recordEvent(tx, { orgId: t.orgId, type: 'verification.completed', sandbox: true, data }));
    await expect(record({ verificationId: 'ver_1', nik: '3201234567890001' })).rejects.toThrow(/personal data/);
    await expect(record({ verificationId: 'ver_1', faceImage: 'aGVsbG8=' })).rejects.toThrow(/personal data/);
    await expect(record({ customer: { fullName: 'Budi' } })).rejects.toThrow(/personal data/);
    await expect(record({ reference: '3201234567890001' })).rejects.toThrow(/NIK/);
    await expect(record({ blob: 'x'.repeat(500) })).rejects.toThrow(/ids, statuses or codes/);
    const { rows } = await h.app.deps.db.query('SELECT 1 FROM events WHERE org_id = $1', [t.orgId]);
    expect(rows).toEqual([]);
  });
});

describe('automatic disabling', () => {
  let h: WebhookHarness;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    // Disabled after failing for 1 s; a series of 6 tries lasts 3.1 s.
    h = await startWebhookHarness(webhooksConfig({ delivery: { disableAfterHours: 1 / 3600 } }));
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  it('when an endpoint fails every try for longer than the configured period, then it is disabled, with an event, a warn line, and no more tries', async () => {
    receiver.answer = () => 500;
    const t = await h.app.tenant(['webhooks:manage', 'events:view']);
    const create = (url: string, enabledEvents: string[]) =>
      h.app.request('POST', '/v1/webhook-endpoints', { key: t.key, body: { url, enabledEvents } });
    const failing = (await (await create(`${receiver.url}/down`, ['verification.completed'])).json()) as Endpoint;
    const watcher = (await (await create(`${receiver.url}/watch`, ['webhook_endpoint.disabled'])).json()) as Endpoint;
    receiver.answer = ({ body }) => (JSON.parse(body).type === 'webhook_endpoint.disabled' ? 200 : 500);
    await emit(h, t.orgId, 1);
    await until('the endpoint is disabled', async () => {
      const res = await h.app.request('GET', `/v1/webhook-endpoints/${failing.id}`, { key: t.key });
      return ((await res.json()) as { status: string }).status === 'disabled';
    });
    await receiver.delivered(1);
    const notice = receiver.received.find((r) => r.status === 200)!;
    expect(JSON.parse(notice.body)).toMatchObject({
      type: 'webhook_endpoint.disabled',
      data: { endpointId: failing.id, reason: 'failing' },
    });
    expect(h.warnings.some((l) => l.includes('webhook endpoint disabled') && l.includes(failing.id))).toBe(true);
    const [delivery] = await deliveriesOf(h, t.key, failing.id);
    expect(delivery.status).toBe('failed');
    const tries = delivery.attempts.length;
    expect(tries).toBeGreaterThanOrEqual(2);
    // Nothing more is tried, and new events are not sent to it.
    await emit(h, t.orgId, 1);
    await new Promise((r) => setTimeout(r, 800));
    const log = await deliveriesOf(h, t.key, failing.id);
    expect(log).toHaveLength(1);
    expect(log[0].attempts).toHaveLength(tries);
    expect(watcher.id).toBeDefined();

    // Enabled again, it is sent new events.
    receiver.answer = () => 200;
    expect((await h.app.request('POST', `/v1/webhook-endpoints/${failing.id}/enable`, { key: t.key })).status).toBe(200);
    const [eventId] = await emit(h, t.orgId, 1);
    await until('the enabled endpoint gets the new event', () => receiver.received.some((r) => r.eventId === eventId && r.status === 200));
  });
});

describe('SSRF: deliveries never reach a non-public address unless allow-listed', () => {
  let h: WebhookHarness;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    h = await startWebhookHarness(webhooksConfig({ allow: { hosts: [], cidrs: [] }, delivery: { attempts: 2 } }));
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  it.each([
    ['loopback', () => receiver.url],
    ['the metadata address', () => 'http://169.254.169.254/latest/meta-data'],
    ['a DNS name resolving to loopback', () => receiver.url.replace('127.0.0.1', 'localhost')],
  ])('when an endpoint is created for %s, then 400 webhook_url_not_allowed', async (_what, url) => {
    const t = await h.app.tenant(['webhooks:manage']);
    const res = await h.app.request('POST', '/v1/webhook-endpoints', { key: t.key, body: { url: url(), enabledEvents: ['*'] } });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string; param: string } };
    expect(error).toMatchObject({ code: 'webhook_url_not_allowed', param: 'url' });
    expect(error.message).toMatch(/non-public address/);
  });

  it('when an endpoint now resolves to a non-public address (allowed when created), then the delivery is refused before any connection, and logged', async () => {
    const t = await h.app.tenant(['webhooks:manage']);
    const caller: Caller = { orgId: t.orgId, keyId: t.keyId, keyMode: 'test', scopes: ['webhooks:manage'] };
    // Loopback was allow-listed when these were created; the worker's allow-list names nothing.
    const allowing = { ...h.app.deps, config: { ...h.app.deps.config, webhooks: webhooksConfig() } };
    const commit = <T>(work: (tx: Queryable) => Promise<T>) => h.app.deps.db.transaction(work);
    const created = [
      (await createEndpoint(allowing, caller, { url: receiver.url, enabledEvents: ['*'] }, commit)).endpoint,
      (await createEndpoint(allowing, caller, { url: receiver.url.replace('127.0.0.1', 'localhost'), enabledEvents: ['*'] }, commit))
        .endpoint,
      // A name that resolved to a public address when created and now points at the metadata service.
      await insertEndpoint(h.app.deps.db, {
        id: 'we_metadata',
        orgId: t.orgId,
        sandbox: true,
        url: 'http://169.254.169.254/latest/meta-data',
        description: null,
        enabledEvents: ['*'],
        secretSealed: h.app.deps.keys.seal('whsec_x'),
      }),
    ];
    await emit(h, t.orgId, 1);
    for (const endpoint of created) {
      await until(`the delivery to ${endpoint.url} fails`, async () => (await deliveriesOf(h, t.key, endpoint.id))[0]?.status === 'failed');
      const [delivery] = await deliveriesOf(h, t.key, endpoint.id);
      expect(delivery.attempts).toHaveLength(2);
      for (const a of delivery.attempts)
        expect(a).toMatchObject({ httpStatus: null, error: expect.stringMatching(/^address_not_public: /) });
    }
    expect(receiver.received).toEqual([]);
  });
});
