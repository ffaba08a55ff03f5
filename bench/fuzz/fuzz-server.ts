/**
 * The app the fuzz harness attacks, as a child process so that a crash is seen as one: every declared
 * vendor's simulator on an ephemeral port behind sandbox keys, the API on an ephemeral port, PGlite under
 * VERIGATE_DATA_DIR (server-process.ts gives it a temporary folder) or DATABASE_URL, one org with every capability, a sandbox key with every scope, a
 * customer and an operator key. Prints one JSON line once it listens. Rate limits are raised a thousandfold so that mutated
 * bodies reach validation and the handlers instead of stopping at 429 (the limits have their own tests);
 * no spend cap is set for the org.
 */
import type { RunningSimulator } from '../../adapters/simulator-kit';
import { loadConfig } from '../../src/config';
import { insertCustomer } from '../../src/customers/customers-repo';
import { loadProvidersConfig } from '../../src/gateway/providers';
import { DEFAULT_REGISTRY } from '../../src/gateway/registry';
import { createLogger } from '../../src/logger';
import { startRuntime } from '../../src/runtime';
import { exitOnSignals } from '../../src/signals';
import { issueOperatorKey } from '../../src/ops/operator-keys-repo';
import { issueKey } from '../../src/tenancy/keys-repo';
import { createOrg } from '../../src/tenancy/orgs-repo';
import { CAPABILITIES, SCOPES } from '../../src/tenancy/scopes';

async function main() {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'test' };
  const base = loadConfig(env);
  const config = {
    ...base,
    rateLimits: Object.fromEntries(Object.entries(base.rateLimits).map(([op, r]) => [op, { ...r, limit: r.limit * 1000 }])),
  };
  const providers = loadProvidersConfig(undefined, DEFAULT_REGISTRY);
  const sims: RunningSimulator[] = [];
  for (const adapter of DEFAULT_REGISTRY.adapters) {
    const reach = providers[adapter.id];
    if (adapter.transport !== 'http' || reach?.transport !== 'http') continue;
    const sim = await adapter.simulator(0, reach.sandbox.credentials);
    sims.push(sim);
    providers[adapter.id] = { ...reach, timeoutMs: 2000, sandbox: { ...reach.sandbox, port: Number(new URL(sim.url).port) } };
  }
  const logger = createLogger((process.env.LOG_LEVEL as 'warn' | undefined) ?? 'error');
  const runtime = await startRuntime(config, logger, ['api'], { providers });
  exitOnSignals(async (reason) => {
    await runtime.shutdown(reason);
    await Promise.all(sims.map((s) => s.close()));
  }, logger);
  const deps = runtime.deps!;
  const org = await createOrg(deps.db, { name: 'fuzz', capabilities: [...CAPABILITIES] });
  const key = await issueKey(deps.db, deps.keys, { orgId: org.id, name: 'fuzz', mode: 'test', scopes: [...SCOPES] });
  const spare = await issueKey(deps.db, deps.keys, { orgId: org.id, name: 'spare', mode: 'test', scopes: ['customers:view'] });
  const customer = await insertCustomer(deps.db, org.id, 'fuzz-customer');
  const operator = await issueOperatorKey(deps.db, deps.keys, 'fuzz');
  const target = { url: runtime.url, key: key.key, operatorKey: operator.key, spareKeyId: spare.id, customerId: customer!.id };
  process.stdout.write(`${JSON.stringify(target)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
