/**
 * G, the gateway: the real app (createApp with every route) on an ephemeral port, built from the database
 * and Redis handles the bench gives it (so it can count their round trips), with AccuAuth's sandbox
 * pointed at the simulator. Deps are built as test/helpers/test-app.ts builds them.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { insertCustomer } from '../src/customers/customers-repo';
import { createCaches } from '../src/cache/caches';
import { loadConfig } from '../src/config';
import type { AppDeps } from '../src/deps';
import { createEngine } from '../src/engine/engine';
import { loadErrorMap } from '../src/gateway/error-map';
import { createGateway } from '../src/gateway/gateway';
import { loadProvidersConfig, type HttpReach } from '../src/gateway/providers';
import { createApp } from '../src/http/app';
import { createLogger } from '../src/logger';
import type { Db } from '../src/store/db';
import { Jobs } from '../src/jobs/jobs';
import { KeyMaterial } from '../src/tenancy/key-material';
import { issueKey } from '../src/tenancy/keys-repo';
import { createOrg } from '../src/tenancy/orgs-repo';
import { loggedOpsEvents } from '../src/ops/ops-events';

export interface GatewayApp {
  url: string;
  /** A sandbox key with verifications:write. */
  key: string;
  customerId: string;
  /** Charged ledger rows so far. */
  chargedRows(): Promise<number>;
  /** Closes the server, breakers and engine pool; the db and Redis handles stay the caller's. */
  close(): Promise<void>;
}

/** `db` must be migrated already. */
export async function startGatewayApp(db: Db, redis: Redis, redisUrl: string, simulatorUrl: string): Promise<GatewayApp> {
  const config = loadConfig({ NODE_ENV: 'test', REDIS_URL: redisUrl, VERIGATE_MASTER_KEY: 'ab'.repeat(32) });
  const logger = createLogger('silent');
  const run = randomBytes(4).toString('hex');
  const gateway = createGateway(redis, logger, { cooldownPrefix: `bench:cooldown:${run}`, statePrefix: `bench:gw:${run}` });
  const base = loadProvidersConfig(undefined, gateway.registry);
  const accuauth = base.accuauth as HttpReach;
  const engine = createEngine(redis);
  const deps: AppDeps = {
    config,
    db,
    redis,
    logger,
    keys: new KeyMaterial(config.masterKey),
    errorMap: loadErrorMap(undefined, { registry: gateway.registry }),
    providers: { ...base, accuauth: { ...accuauth, sandbox: { ...accuauth.sandbox, port: Number(new URL(simulatorUrl).port) } } },
    gateway,
    engine,
    caches: createCaches(),
    jobs: new Jobs(redis, `bench-${process.pid}`),
    ops: loggedOpsEvents(logger),
    now: () => new Date(),
  };
  const org = await createOrg(db, { name: 'bench' });
  const key = await issueKey(db, deps.keys, { orgId: org.id, name: 'bench', mode: 'test', scopes: ['verifications:write'] });
  const customer = await insertCustomer(db, org.id, 'bench-customer');
  const server: Server = await new Promise((resolve) => {
    const s = createApp(deps).listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/verifications`,
    key: key.key,
    customerId: customer?.id as string,
    chargedRows: async () =>
      Number((await db.query<{ n: number }>("SELECT count(*) AS n FROM ledger_entries WHERE charged = 'charged'")).rows[0]?.n ?? 0),
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      gateway.breakers.shutdown();
      await engine.pool.close();
    },
  };
}
