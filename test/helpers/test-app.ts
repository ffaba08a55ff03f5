import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../src/config';
import { allRoutes, createApp } from '../../src/http/app';
import type { AppDeps } from '../../src/http/context';
import type { RouteSpec } from '../../src/http/route';
import { createEngine } from '../../src/engine/engine';
import { loadErrorMap } from '../../src/gateway/error-map';
import { createGateway, type GatewayOptions } from '../../src/gateway/gateway';
import { loadProvidersConfig, type ProvidersConfig } from '../../src/gateway/providers';
import { producerConnection, whenReady } from '../../src/jobs/redis';
import { createLogger } from '../../src/logger';
import { openDb, type Db } from '../../src/store/db';
import { migrate } from '../../src/store/migrate';
import { KeyMaterial } from '../../src/tenancy/key-material';
import { issueKey } from '../../src/tenancy/keys-repo';
import { createOrg } from '../../src/tenancy/orgs-repo';
import type { Scope } from '../../src/tenancy/scopes';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6399';
export const TEST_MASTER_KEY = 'ab'.repeat(32);

export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({ NODE_ENV: 'test', REDIS_URL, VERIGATE_MASTER_KEY: TEST_MASTER_KEY }), ...overrides };
}

/** A migrated in-memory PGlite database. */
export async function memoryDb(): Promise<Db> {
  const db = await openDb({ pgliteDir: 'memory://' });
  await migrate(db);
  return db;
}

export interface TestApp {
  url: string;
  deps: AppDeps;
  /** Moves the app's clock (idempotency expiry and the like) without waiting. */
  advance(ms: number): void;
  /** A new org with one sandbox key holding `scopes`. */
  tenant(scopes: Scope[]): Promise<{ orgId: string; key: string; keyId: string }>;
  request(method: string, path: string, init?: { key?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  db?: Db;
  config?: Partial<Config>;
  /** Extra routes mounted beside the real ones (for behaviour that needs a slow or failing handler). */
  extraRoutes?: (deps: AppDeps) => RouteSpec[];
  logger?: AppDeps['logger'];
  /** A Redis connection to use instead of a fresh one to the test Redis (e.g. one that cannot connect). */
  redis?: AppDeps['redis'];
  /** Where vendors are reached (tests point sandbox ports at simulators they started on port 0). */
  providers?: ProvidersConfig;
  /** Routing policy, breaker settings or live-credential env for this app; cooldowns, drains and stats always get a prefix of their own. */
  gateway?: GatewayOptions;
}

/** The real app on an ephemeral port, with its own database unless one is shared in. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const ownDb = !options.db;
  const db = options.db ?? (await memoryDb());
  const redis = options.redis ?? producerConnection(REDIS_URL);
  if (!options.redis) await whenReady(redis);
  let offset = 0;
  const config = testConfig(options.config);
  const logger = options.logger ?? createLogger('silent');
  const isolation = randomBytes(6).toString('hex');
  const gateway = createGateway(redis, logger, {
    cooldownPrefix: `test:cooldown:${isolation}`,
    statePrefix: `test:gw:${isolation}`,
    ...options.gateway,
  });
  const deps: AppDeps = {
    config,
    db,
    redis,
    logger,
    keys: new KeyMaterial(config.masterKey),
    errorMap: loadErrorMap(),
    providers: options.providers ?? loadProvidersConfig(),
    gateway,
    engine: createEngine(redis),
    now: () => new Date(Date.now() + offset),
  };
  const app = createApp(deps, [...allRoutes(deps), ...(options.extraRoutes?.(deps) ?? [])]);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    deps,
    advance: (ms) => {
      offset += ms;
    },
    async tenant(scopes) {
      const org = await createOrg(db, { name: `org ${randomBytes(3).toString('hex')}` });
      const issued = await issueKey(db, deps.keys, { orgId: org.id, name: 'test', mode: 'test', scopes });
      return { orgId: org.id, key: issued.key, keyId: issued.id };
    },
    request(method, path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      if (init.key) headers.authorization = `Bearer ${init.key}`;
      let body: string | undefined;
      if (init.body !== undefined) {
        body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
        headers['content-type'] ??= 'application/json';
      }
      return fetch(`${url}${path}`, { method, headers, body });
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      gateway.breakers.shutdown();
      await deps.engine.pool.close();
      redis.disconnect();
      if (ownDb) await db.close();
    },
  };
}

