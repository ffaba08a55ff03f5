import { producerConnection } from '../../src/jobs/redis';
import { startTestApp, type TestApp } from '../helpers/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

describe('health and readiness', () => {
  it('when the process runs, then /healthz answers 200 without touching dependencies', async () => {
    const res = await app.request('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('when the database and Redis answer, then /readyz is 200 and says so', async () => {
    const res = await app.request('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'ok' } });
  });

  it('when Redis is unreachable, then /readyz is 503 naming Redis', async () => {
    const dead = producerConnection('redis://127.0.0.1:1', { retryStrategy: () => null });
    dead.on('error', () => undefined);
    const cut = await startTestApp({ redis: dead });
    try {
      const res = await cut.request('GET', '/readyz');
      expect(res.status).toBe(503);
      const body = await res.json();
      expect(body.status).toBe('not_ready');
      expect(body.checks.database).toBe('ok');
      expect(body.checks.redis).not.toBe('ok');
    } finally {
      await cut.close();
      dead.disconnect();
    }
  });
});

describe('the mapping table for finance and ops', () => {
  it('when /mapping-table is read, then every row of every provider is there with every axis', async () => {
    const body = await (await app.request('GET', '/mapping-table')).json();
    expect(body.data).toHaveLength(app.deps.errorMap.rows().length);
    for (const row of body.data) {
      expect(Object.keys(row).sort()).toEqual(
        ['accountHealth', 'breaker', 'charged', 'failover', 'final', 'kind', 'match', 'note', 'operation', 'provider', 'retryable', 'source', 'suiteCode', 'verificationStatus'].sort(),
      );
    }
  });

  it('when one provider is asked for as CSV, then a header line and one line per row of that provider come back', async () => {
    const res = await app.request('GET', '/mapping-table?provider=accuauth&format=csv');
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await res.text()).trimEnd().split('\n');
    expect(lines[0]).toBe('provider,operation,match,kind,suiteCode,verificationStatus,charged,final,failover,breaker,retryable,accountHealth,note,source');
    expect(lines).toHaveLength(app.deps.errorMap.rows('accuauth').length + 1);
    expect(lines.slice(1).every((l) => l.startsWith('accuauth,'))).toBe(true);
  });

  it('when an unknown provider is asked for, then 400 names the parameter', async () => {
    const res = await app.request('GET', '/mapping-table?provider=acme');
    expect(res.status).toBe(400);
    expect((await res.json()).error.param).toBe('provider');
  });
});
