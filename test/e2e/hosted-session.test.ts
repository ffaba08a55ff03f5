import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nock from 'nock';
import {
  freePort,
  httpOk,
  redisSpec,
  simulatorsHost,
  Supervised,
  verigateSpec,
  waitUntil,
  type VerigateEnv,
} from '../../bench/chaos/processes';
import { createRunDatabase, createTenant, dropRunDatabase } from '../../bench/chaos/setup';
import { Timeline } from '../../bench/chaos/timeline';
import { loadProvidersConfig } from '../../src/gateway/providers';
import { verifySignature } from '../../src/webhooks/signature';
import { startReceiver, type Receiver } from '../webhooks/receiver';

/**
 * The whole path across real processes, as deployed: the API, the worker and the simulators each its own
 * process, on server Postgres and a Redis of the test's own. A hosted session is opened, the person
 * completes the iDenfy simulator's page, the simulator posts its signed webhook to the API, the worker applies
 * it (verification passed, the session charged on the pay-per-approved plan), and the integrator's endpoint
 * receives exactly one signed `verification.completed` whose signature verifies with the endpoint's secret.
 * Needs TEST_DATABASE_URL (the processes share one database): CI sets it.
 */
const maybe = process.env.TEST_DATABASE_URL ? describe : describe.skip;
jest.setTimeout(180_000);

const MASTER_KEY = 'e2e0'.repeat(16);

maybe('hosted session end to end across processes', () => {
  const baseUrl = process.env.TEST_DATABASE_URL!;
  const runDir = mkdtempSync(path.join(tmpdir(), 'verigate-e2e-'));
  const timeline = new Timeline();
  const processes: Supervised[] = [];
  let schema: string | undefined;
  let receiver: Receiver | undefined;
  let api = '';
  let key = '';
  let customerId = '';
  let simBase = '';

  beforeAll(async () => {
    // Real processes on a loopback address of the run's own (127.x.y.z): nothing here is faked at the HTTP boundary.
    nock.restore();
    receiver = await startReceiver();
    const db = await createRunDatabase(baseUrl);
    schema = db.schema;
    const tenant = await createTenant(db.url, MASTER_KEY, 1);
    key = tenant.key;
    customerId = tenant.customerIds[0]!;

    const redisPort = await freePort();
    mkdirSync(path.join(runDir, 'redis'));
    const redis = new Supervised(redisSpec(redisPort, path.join(runDir, 'redis'), path.join(runDir, 'redis.log')), timeline);
    processes.push(redis);
    await redis.start();

    const providers = loadProvidersConfig();
    const simPorts = Object.values(providers).flatMap((r) => (r.transport === 'http' ? [r.sandbox.port] : []));
    const simHost = await simulatorsHost(simPorts);
    const idenfy = providers.idenfy;
    if (idenfy?.transport !== 'http') throw new Error('idenfy is not reached over HTTP');
    simBase = `http://${simHost}:${idenfy.sandbox.port}`;
    const apiPort = await freePort();
    api = `http://127.0.0.1:${apiPort}`;
    const env: VerigateEnv = {
      databaseUrl: db.url,
      redisUrl: `redis://127.0.0.1:${redisPort}`,
      masterKey: MASTER_KEY,
      dataDir: path.join(runDir, 'data'),
      simulatorsHost: simHost,
      // The simulators post iDenfy's webhooks to this API; the receiver on loopback is allowed for deliveries.
      extra: { VERIGATE_GATEWAY_URL: api, VERIGATE_WEBHOOK_ALLOW: '127.0.0.1/32' },
    };
    const alive = (ok: () => boolean) => () => (ok() ? undefined : 'exited');
    const simulators = new Supervised(
      verigateSpec('simulators', env, path.join(runDir, 'simulators.log'), {
        host: simHost,
        ready: (ok) => waitUntil('simulators', () => httpOk(`${simBase}/__sim/billing`), 90_000, alive(ok)),
      }),
      timeline,
    );
    const apiProcess = new Supervised(
      verigateSpec('api', env, path.join(runDir, 'api.log'), {
        port: apiPort,
        host: '127.0.0.1',
        ready: (ok) => waitUntil('api', () => httpOk(`${api}/healthz`), 90_000, alive(ok)),
      }),
      timeline,
    );
    // The worker serves nothing: it is ready once it lives a moment (its jobs prove the rest).
    const worker = new Supervised(
      verigateSpec('worker', env, path.join(runDir, 'worker.log'), {
        host: '127.0.0.1',
        ready: (ok) => new Promise((resolve, reject) => setTimeout(() => (ok() ? resolve() : reject(new Error('worker exited'))), 1500)),
      }),
      timeline,
    );
    processes.push(simulators, apiProcess, worker);
    await Promise.all([simulators.start(), apiProcess.start(), worker.start()]);
  });

  afterAll(async () => {
    await Promise.all(processes.filter((p) => p.spec.name !== 'redis').map((p) => p.stop(10_000)));
    await Promise.all(processes.filter((p) => p.spec.name === 'redis').map((p) => p.stop(5000)));
    await receiver?.close();
    if (schema) await dropRunDatabase(baseUrl, schema).catch(() => undefined);
    rmSync(runDir, { recursive: true, force: true });
  });

  const call = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${api}${route}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it('when the person completes the hosted page, then the verification passes, is charged once, and the endpoint gets one signed verification.completed', async () => {
    const endpoint = await call('POST', '/v1/webhook-endpoints', {
      url: `${receiver!.url}/hooks`,
      enabledEvents: ['verification.completed'],
    });
    expect(endpoint.status).toBe(201);
    const secret = endpoint.body.secret as string;

    const session = await call('POST', '/v1/verifications', { customerId, check: 'hosted_session', input: { expirySeconds: 600 } });
    expect(session.body).toMatchObject({ status: 'pending', provider: 'idenfy', attempts: [{ charged: 'unknown' }] });
    const { authToken } = session.body.result.data as { authToken: string };

    // The hosted page's form, as the person's browser submits it.
    const page = await fetch(`${simBase}/sim/hosted/${authToken}/complete`, { method: 'POST', headers: { accept: 'application/json' } });
    expect(((await page.json()) as { deliveries: Array<{ status: number }> }).deliveries.map((d) => d.status)).toEqual([200]);

    let verification: Record<string, any> = {};
    await waitUntil(
      'verification ends',
      async () => (verification = (await call('GET', `/v1/verifications/${session.body.id}`)).body).status !== 'pending',
      30_000,
    );
    expect(verification).toMatchObject({
      status: 'passed',
      result: { code: 'session_approved' },
      attempts: [{ operation: 'token', charged: 'charged' }],
    });
    const billing = (await (await fetch(`${simBase}/__sim/billing`)).json()) as { totalCharged: number };
    expect(billing.totalCharged).toBe(1);

    const mine = () => receiver!.received.filter((r) => JSON.parse(r.body).data?.verificationId === session.body.id);
    await waitUntil('the endpoint receives the event', async () => mine().length > 0, 30_000);
    await new Promise((r) => setTimeout(r, 1500)); // anything sent twice would have come by now
    const received = mine();
    expect(received).toHaveLength(1);
    const event = JSON.parse(received[0]!.body) as Record<string, any>;
    expect(event).toMatchObject({
      type: 'verification.completed',
      data: { verificationId: session.body.id, status: 'passed', resultCode: 'session_approved' },
    });
    expect(received[0]!.eventId).toBe(event.id);
    expect(verifySignature(received[0]!.body, received[0]!.signature, [secret]).ok).toBe(true);
    expect(verifySignature(received[0]!.body, received[0]!.signature, ['whsec_not-the-secret']).ok).toBe(false);
  });
});
