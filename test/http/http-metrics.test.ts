import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestApp, testConfig, type TestApp } from '../helpers/test-app';

let app: TestApp;
beforeAll(async () => {
  const base = testConfig().rateLimits;
  app = await startTestApp({ config: { rateLimits: { ...base, 'keys.create': { limit: 1, windowSeconds: 60 } } } });
});
afterAll(() => app?.close());

const scrape = async () => (await app.request('GET', '/metrics')).text();

/** The value of one series, 0 when it has not appeared yet. */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('/metrics for the API itself', () => {
  it('when requests are answered, replayed, refused or limited, then the HTTP, idempotency and rate-limit series count them by route template', async () => {
    const t = await app.tenant(['customers:write', 'customers:view', 'keys:write']);
    const before = await scrape();
    const create = (body: unknown) =>
      app.request('POST', '/v1/customers', { key: t.key, body, headers: { 'Idempotency-Key': 'metrics-1' } });
    expect((await create({ externalRef: 'metrics-a' })).status).toBe(201);
    const replay = await create({ externalRef: 'metrics-a' });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect((await create({ externalRef: 'metrics-b' })).status).toBe(422);
    const customer = (await replay.json()) as { id: string };
    expect((await app.request('GET', `/v1/customers/${customer.id}`, { key: t.key })).status).toBe(200);
    expect((await app.request('GET', `/no/such/${customer.id}`)).status).toBe(404);
    const key = () => app.request('POST', '/v1/keys', { key: t.key, body: { name: 'k', scopes: ['customers:view'] } });
    expect((await key()).status).toBe(201);
    expect((await key()).status).toBe(429);

    const text = await scrape();
    const delta = (series: string) => value(text, series) - value(before, series);
    expect(delta('verigate_http_request_duration_seconds_count{method="POST",route="/v1/customers",status="201"}')).toBe(2);
    expect(delta('verigate_http_request_duration_seconds_count{method="POST",route="/v1/customers",status="422"}')).toBe(1);
    expect(delta('verigate_http_request_duration_seconds_count{method="GET",route="/v1/customers/:id",status="200"}')).toBe(1);
    expect(delta('verigate_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect(delta('verigate_idempotency_total{outcome="replayed"}')).toBe(1);
    expect(delta('verigate_idempotency_total{outcome="reused"}')).toBe(1);
    expect(delta('verigate_rate_limit_total{operation="keys.create",outcome="allowed"}')).toBe(1);
    expect(delta('verigate_rate_limit_total{operation="keys.create",outcome="limited"}')).toBe(1);
    // Ids never become labels: the customer's id was in two paths.
    expect(text).not.toContain(customer.id);
    expect(text).not.toContain(t.orgId);
  });

  it('when scraped, then process, event-loop and queue-depth series are there', async () => {
    const text = await scrape();
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    for (const state of ['waiting', 'active', 'delayed', 'failed']) {
      expect(text).toMatch(new RegExp(`^verigate_queue_jobs\\{queue="maintenance",state="${state}"\\} \\d+$`, 'm'));
    }
  });
});

describe('the Grafana dashboard (ops/grafana/verigate-dashboard.json)', () => {
  it('when a panel queries a metric, then /metrics serves that metric', async () => {
    const dashboard = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'ops', 'grafana', 'verigate-dashboard.json'), 'utf8')) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    const text = await scrape();
    const used = new Set(
      dashboard.panels.flatMap((p) =>
        p.targets.flatMap((t) => [...t.expr.matchAll(/\b((?:verigate|process|nodejs)_\w+)/g)].map((m) => m[1] as string)),
      ),
    );
    expect(used.size).toBeGreaterThan(10);
    const unserved = [...used].filter((name) => !new RegExp(`^# TYPE ${name.replace(/_(bucket|count|sum)$/, '')} `, 'm').test(text));
    expect(unserved).toEqual([]);
  });
});
