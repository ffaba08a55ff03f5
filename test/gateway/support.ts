import type { RunningSimulator, SimulatorState } from '../../adapters/simulator-kit';
import type { GatewayOptions } from '../../src/gateway/gateway';
import { loadProvidersConfig, type ProvidersConfig } from '../../src/gateway/providers';
import { DEFAULT_REGISTRY } from '../../src/gateway/registry';
import type { Scope } from '../../src/tenancy/scopes';
import { startTestApp, type TestApp, type TestAppOptions } from '../helpers/test-app';

/** A small valid base64 "image": AccuAuth's simulator checks only the encoding and size. */
export const SELFIE = Buffer.from('selfie pixels').toString('base64');

/** Each simulator's state (faults, billing), by provider: the shipped three, and any vendor a test declares. */
export type SimulatorStates = Record<'accuauth' | 'idenfy' | 'lapis', SimulatorState> & Partial<Record<string, SimulatorState>>;

export interface Simulated {
  app: TestApp;
  sims: SimulatorStates;
  tenant(scopes?: Scope[]): Promise<{ orgId: string; key: string; customerId: string }>;
  close(): Promise<void>;
}

/** Each provider's per-call timeout in tests, in ms: short, so hang-after-receive cases finish quickly. */
export const TEST_TIMEOUT_MS = 400;

/**
 * The real app with every declared vendor's simulator on its own ephemeral port behind sandbox keys (the
 * registry's, so a vendor a test declares gets its simulator too). If anything fails to start, whatever did
 * start is stopped before the error is thrown, so a failing beforeAll leaves nothing listening.
 */
export async function startSimulatedGateway(gateway: GatewayOptions = {}, app: Pick<TestAppOptions, 'logger' | 'errorMapFiles' | 'config'> = {}): Promise<Simulated> {
  const registry = gateway.registry ?? DEFAULT_REGISTRY;
  const providers: ProvidersConfig = loadProvidersConfig(undefined, registry);
  const running: RunningSimulator[] = [];
  const states: Partial<Record<string, SimulatorState>> = {};
  let started: TestApp;
  try {
    for (const adapter of registry.adapters) {
      const reach = providers[adapter.id];
      // In process, no simulator: the engine keeps its own timeout, since a face match may describe images in the worker pool.
      if (adapter.transport !== 'http' || reach?.transport !== 'http') continue;
      const sim = await adapter.simulator(0, reach.sandbox.credentials);
      running.push(sim);
      states[adapter.id] = sim.state;
      providers[adapter.id] = { ...reach, timeoutMs: TEST_TIMEOUT_MS, sandbox: { ...reach.sandbox, port: Number(new URL(sim.url).port) } };
    }
    started = await startTestApp({ ...app, providers, gateway });
  } catch (err) {
    await Promise.all(running.map((s) => s.close()));
    throw err;
  }
  const { accuauth, idenfy, lapis } = states;
  if (!accuauth || !idenfy || !lapis) {
    await started.close();
    await Promise.all(running.map((s) => s.close()));
    throw new Error('the shipped simulators did not all start');
  }
  return {
    app: started,
    sims: { ...states, accuauth, idenfy, lapis },
    async tenant(scopes = ['verifications:write', 'verifications:view', 'customers:write', 'usage:view']) {
      const t = await started.tenant(scopes);
      const res = await started.request('POST', '/v1/customers', { key: t.key, body: { externalRef: `ref-${Math.random()}` } });
      const customer = (await res.json()) as { id: string };
      return { orgId: t.orgId, key: t.key, customerId: customer.id };
    },
    async close() {
      await started.close();
      await Promise.all(running.map((s) => s.close()));
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
