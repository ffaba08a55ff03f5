import { ACCUAUTH_SANDBOX } from '../../adapters/accuauth/simulator';
import { SELFIE, startSimulatedGateway, type Simulated } from './support';

let gw: Simulated;
beforeAll(async () => {
  gw = await startSimulatedGateway();
});
afterAll(() => gw?.close());
afterEach(() => gw?.sims.accuauth.setFaults({ hangAfterReceive: false }));

async function scrape(): Promise<{ contentType: string | null; text: string }> {
  const res = await gw.app.request('GET', '/metrics');
  return { contentType: res.headers.get('content-type'), text: await res.text() };
}

/** The value of one series, 0 when it has not appeared yet. */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('/metrics', () => {
  it('when verifications run, then the charge, latency, outcome and breaker series move', async () => {
    const t = await gw.tenant();
    const verify = (nik: string) =>
      gw.app.request('POST', '/v1/verifications', {
        key: t.key,
        body: { customerId: t.customerId, check: 'identity_selfie', input: { idNumber: nik, faceImage: SELFIE } },
      });
    const before = (await scrape()).text;
    expect((await verify(ACCUAUTH_SANDBOX.results['01']!)).status).toBe(200);
    expect((await verify(ACCUAUTH_SANDBOX.results['06']!)).status).toBe(503);
    gw.sims.accuauth.setFaults({ hangAfterReceive: true });
    expect((await verify(ACCUAUTH_SANDBOX.results['01']!)).status).toBe(504);

    const { contentType, text } = await scrape();
    expect(contentType).toContain('text/plain');
    const delta = (series: string) => value(text, series) - value(before, series);
    expect(delta('verigate_upstream_calls_total{provider="accuauth",operation="id_selfie",charged="charged"}')).toBe(1);
    expect(delta('verigate_upstream_calls_total{provider="accuauth",operation="id_selfie",charged="free"}')).toBe(1);
    expect(delta('verigate_upstream_calls_total{provider="accuauth",operation="id_selfie",charged="unknown"}')).toBe(1);
    expect(delta('verigate_verifications_total{check="identity_selfie",status="passed"}')).toBe(1);
    expect(delta('verigate_verifications_total{check="identity_selfie",status="error"}')).toBe(2);
    expect(
      delta('verigate_upstream_latency_seconds_count{provider="accuauth",operation="id_selfie",outcome="result",code="identity_match"}'),
    ).toBe(1);
    expect(
      delta('verigate_upstream_latency_seconds_count{provider="accuauth",operation="id_selfie",outcome="error",code="provider_timeout"}'),
    ).toBe(1);
    expect(text).toContain('verigate_breaker_state{provider="accuauth",mode="test"} 0');
    expect(text).toContain('# TYPE verigate_failovers_total counter');
    // Series carry providers, operations, checks and codes only: no org, key, customer or person.
    expect(text).not.toContain(t.orgId);
    expect(text).not.toContain(t.customerId);
    expect(text).not.toContain(ACCUAUTH_SANDBOX.results['01']!);
  });
});
