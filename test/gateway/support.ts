import { startAccuauthSimulator } from '../../adapters/accuauth/simulator';
import { startIdenfySimulator } from '../../adapters/idenfy/simulator';
import { startLapisSimulator } from '../../adapters/lapis/simulator';
import type { SimulatorState } from '../../adapters/simulator-kit';
import type { GatewayOptions } from '../../src/gateway/gateway';
import { loadProvidersConfig, type ProvidersConfig } from '../../src/gateway/providers';
import type { Scope } from '../../src/tenancy/scopes';
import { startTestApp, type TestApp, type TestAppOptions } from '../helpers/test-app';

/** A small valid base64 "image": AccuAuth's simulator checks only the encoding and size. */
export const SELFIE = Buffer.from('selfie pixels').toString('base64');

export interface Simulated {
  app: TestApp;
  sims: { accuauth: SimulatorState; idenfy: SimulatorState; lapis: SimulatorState };
  tenant(scopes?: Scope[]): Promise<{ orgId: string; key: string; customerId: string }>;
  close(): Promise<void>;
}

/** Each provider's per-call timeout in tests, in ms: short, so hang-after-receive cases finish quickly. */
export const TEST_TIMEOUT_MS = 400;

/** The real app with every vendor simulator on its own ephemeral port behind sandbox keys. */
export async function startSimulatedGateway(gateway: GatewayOptions = {}, app: Pick<TestAppOptions, 'logger'> = {}): Promise<Simulated> {
  const [accuauth, idenfy, lapis] = await Promise.all([startAccuauthSimulator(0), startIdenfySimulator(0), startLapisSimulator(0)]);
  const base = loadProvidersConfig();
  const port = (url: string) => Number(new URL(url).port);
  const providers: ProvidersConfig = {
    accuauth: { ...base.accuauth, timeoutMs: TEST_TIMEOUT_MS, sandbox: { ...base.accuauth.sandbox, port: port(accuauth.url) } },
    idenfy: { ...base.idenfy, timeoutMs: TEST_TIMEOUT_MS, sandbox: { ...base.idenfy.sandbox, port: port(idenfy.url) } },
    lapis: { ...base.lapis, timeoutMs: TEST_TIMEOUT_MS, sandbox: { ...base.lapis.sandbox, port: port(lapis.url) } },
    // In process, no simulator: its own timeout, since a face match may describe images in the worker pool.
    inhouse: base.inhouse,
  };
  const started = await startTestApp({ ...app, providers, gateway });
  return {
    app: started,
    sims: { accuauth: accuauth.state, idenfy: idenfy.state, lapis: lapis.state },
    async tenant(scopes = ['verifications:write', 'verifications:view', 'customers:write', 'usage:view']) {
      const t = await started.tenant(scopes);
      const res = await started.request('POST', '/v1/customers', { key: t.key, body: { externalRef: `ref-${Math.random()}` } });
      const customer = (await res.json()) as { id: string };
      return { orgId: t.orgId, key: t.key, customerId: customer.id };
    },
    async close() {
      await started.close();
      await Promise.all([accuauth.close(), idenfy.close(), lapis.close()]);
    },
  };
}

/** Ledger rows of one org, by charge. */
export async function ledgerCounts(
  app: TestApp,
  orgId: string,
): Promise<{ charged: number; free: number; unknown: number; total: number }> {
  const { rows } = await app.deps.db.query<{ charged: string; n: number }>(
    'SELECT charged, count(*) AS n FROM ledger_entries WHERE org_id = $1 GROUP BY charged',
    [orgId],
  );
  const of = (c: string) => Number(rows.find((r) => r.charged === c)?.n ?? 0);
  return { charged: of('charged'), free: of('free'), unknown: of('unknown'), total: rows.reduce((n, r) => n + Number(r.n), 0) };
}
