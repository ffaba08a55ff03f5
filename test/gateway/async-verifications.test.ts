import { ACCUAUTH_SANDBOX } from '../../adapters/accuauth/simulator';
import { QUEUES } from '../../src/jobs/queues';
import { requeueUnstarted } from '../../src/verifications/accept-verification';
import { ledgerCounts, SELFIE, startSimulatedGateway, type Simulated } from './support';

type Body = Record<string, any>;

let gw: Simulated;
beforeAll(async () => {
  gw = await startSimulatedGateway({}, { workers: true });
});
afterAll(() => gw?.close());

const request = (customerId: string, nik = ACCUAUTH_SANDBOX.results['01']!) => ({
  customerId,
  check: 'identity_selfie',
  input: { idNumber: nik, faceImage: SELFIE },
  mode: 'async',
});

async function accept(key: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await gw.app.request('POST', '/v1/verifications', { key, body, headers });
  return { res, body: (await res.json()) as Body };
}

async function finished(key: string, id: string): Promise<Body> {
  const until = Date.now() + 10_000;
  for (;;) {
    const body = (await (await gw.app.request('GET', `/v1/verifications/${id}`, { key })).json()) as Body;
    if (body.status !== 'processing') return body;
    if (Date.now() > until) throw new Error(`verification ${id} still processing`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

describe('POST /v1/verifications with mode "async"', () => {
  it('when accepted, then 202 processing with its Location, and a worker runs the same use case to the same answer', async () => {
    const t = await gw.tenant();
    const { res, body } = await accept(t.key, request(t.customerId));
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/v1/verifications/${body.id}`);
    expect(body).toMatchObject({ object: 'verification', mode: 'async', status: 'processing', attempts: [] });
    const done = await finished(t.key, body.id);
    expect(done).toMatchObject({ mode: 'async', status: 'passed', provider: 'accuauth', result: { code: 'identity_match' } });
    expect(done.attempts).toEqual([expect.objectContaining({ provider: 'accuauth', charged: 'charged' })]);
    expect(await ledgerCounts(gw.app, t.orgId)).toEqual({ charged: 1, free: 0, unknown: 0, total: 1 });
  });

  it('when queued, then the job carries the verification id only, and the sealed input is gone once it ran', async () => {
    const t = await gw.tenant();
    const { body } = await accept(t.key, request(t.customerId));
    const job = await gw.app.deps.jobs.queue(QUEUES.verifications).getJob(body.id);
    expect(job?.data).toEqual({ verificationId: body.id });
    await finished(t.key, body.id);
    const { rows } = await gw.app.deps.db.query('SELECT 1 FROM verification_inputs WHERE verification_id = $1', [body.id]);
    expect(rows).toHaveLength(0);
  });

  it('when the same Idempotency-Key is sent again, then the accepted reply replays and the vendor is called once', async () => {
    const t = await gw.tenant();
    const before = gw.sims.accuauth.billing().totalCalls;
    const first = await accept(t.key, request(t.customerId), { 'Idempotency-Key': 'async-1' });
    const again = await gw.app.request('POST', '/v1/verifications', {
      key: t.key,
      body: request(t.customerId),
      headers: { 'Idempotency-Key': 'async-1' },
    });
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(first.body);
    await finished(t.key, first.body.id);
    expect(gw.sims.accuauth.billing().totalCalls - before).toBe(1);
    // Sync and async share the key's semantics: the same key with another body is refused.
    const other = await gw.app.request('POST', '/v1/verifications', {
      key: t.key,
      body: { ...request(t.customerId), mode: 'sync' },
      headers: { 'Idempotency-Key': 'async-1' },
    });
    expect(other.status).toBe(422);
  });

  it('when the input or the customer is wrong, then it is refused at once, before anything is accepted', async () => {
    const t = await gw.tenant();
    const bad = await accept(t.key, { ...request(t.customerId), input: { idNumber: 'x' } });
    expect(bad.res.status).toBe(400);
    const ghost = await accept(t.key, request('cus_doesnotexist'));
    expect(ghost.res.status).toBe(404);
    const { rows } = await gw.app.deps.db.query('SELECT 1 FROM verifications WHERE org_id = $1', [t.orgId]);
    expect(rows).toHaveLength(0);
  });

  it('when no provider answers, then the verification ends as error with the reason, not as a job to retry', async () => {
    const t = await gw.tenant();
    gw.sims.accuauth.setFaults({ errorRate: 1 });
    try {
      const { body } = await accept(t.key, { ...request(t.customerId), provider: 'accuauth' });
      const done = await finished(t.key, body.id);
      expect(done).toMatchObject({ status: 'error', error: { code: 'provider_unavailable' } });
    } finally {
      gw.sims.accuauth.setFaults({ errorRate: 0 });
    }
  });

  it('when an accepted verification lost its job, then the sweep enqueues it again and it runs once', async () => {
    const t = await gw.tenant();
    const queue = gw.app.deps.jobs.queue(QUEUES.verifications);
    await queue.pause();
    try {
      const { body } = await accept(t.key, request(t.customerId));
      await (await queue.getJob(body.id))?.remove();
      gw.app.advance(120_000);
      expect(await requeueUnstarted(gw.app.deps)).toBeGreaterThanOrEqual(1);
      expect(await queue.getJob(body.id)).toBeDefined();
      await queue.resume();
      expect(await finished(t.key, body.id)).toMatchObject({ status: 'passed' });
    } finally {
      await queue.resume();
      gw.app.advance(-120_000);
    }
  });
});
