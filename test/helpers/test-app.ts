import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createCaches } from '../../src/cache/caches';
import { loadConfig, type Config } from '../../src/config';
import { allRoutes, createApp } from '../../src/http/app';
import { answerClientErrors } from '../../src/http/client-errors';
import type { AppDeps } from '../../src/deps';
import type { RouteSpec } from '../../src/http/route';
import { createEngine } from '../../src/engine/engine';
import { loadErrorMap } from '../../src/gateway/error-map';
import { createGateway, type GatewayOptions } from '../../src/gateway/gateway';
import { loadProvidersConfig, type ProvidersConfig } from '../../src/gateway/providers';
import { Jobs } from '../../src/jobs/jobs';
import { producerConnection, whenReady, workerConnection } from '../../src/jobs/redis';
import { startWorkers } from '../../src/jobs/workers';
import { createLogger } from '../../src/logger';
import { openDb, type Db } from '../../src/store/db';
import { migrate } from '../../src/store/migrate';
import { KeyMaterial } from '../../src/tenancy/key-material';
import { issueKey } from '../../src/tenancy/keys-repo';
import { createOrg } from '../../src/tenancy/orgs-repo';
import type { Scope } from '../../src/tenancy/scopes';
import { loggedOpsEvents } from '../../src/ops/ops-events';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6399';
export const TEST_MASTER_KEY = 'ab'.repeat(32);

export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({ NODE_ENV: 'test', REDIS_URL, VERIGATE_MASTER_KEY: TEST_MASTER_KEY }), ...overrides };
}

/** A migrated in-memory PGlite database (closed again if the migration fails). */
export async function memoryDb(): Promise<Db> {
  const db = await openDb({ pgliteDir: 'memory://' });
  try {
    await migrate(db);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
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
  /**
   * The providers, routing policy, breaker settings or live-credential env for this app; cooldowns, drains and
   * stats always get a prefix of their own.
   */
  gateway?: GatewayOptions;
  /** Mapping files of providers declared outside adapters/ (a test's own vendor). */
  errorMapFiles?: string[];
  /** Also runs the job workers in this process, on this app's own queues (async verifications, session events). */
  workers?: boolean;
}

/**
 * The real app on an ephemeral port, with its own database unless one is shared in. Should any step fail
 * (Redis not answering, a config that does not load, the port), what was already opened is closed before
 * the error is thrown, so a failing beforeAll leaves no database, Redis client or server behind.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  // Closers of what is open so far, run newest first by close(), or at once when a later step throws.
  const opened: Array<() => unknown> = [];
  const closeAll = async (): Promise<void> => {
    let first: unknown;
    for (const close of opened.splice(0).reverse()) {
      try {
        await close();
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== undefined) throw first;
  };
  try {
    const db = options.db ?? (await memoryDb());
    if (!options.db) opened.push(() => db.close());
    const redis = options.redis ?? producerConnection(REDIS_URL);
    opened.push(() => redis.disconnect());
    if (!options.redis) await whenReady(redis);
    let offset = 0;
    const config = testConfig(options.config);
    const logger = options.logger ?? createLogger('silent');
    const engine = createEngine(redis);
    opened.push(() => engine.pool.close());
    const isolation = randomBytes(6).toString('hex');
    const gateway = createGateway(redis, logger, {
      cooldownPrefix: `test:cooldown:${isolation}`,
      statePrefix: `test:gw:${isolation}`,
      ...options.gateway,
    });
    opened.push(() => gateway.breakers.shutdown());
    const deps: AppDeps = {
      config,
      db,
      redis,
      logger,
      keys: new KeyMaterial(config.masterKey),
      errorMap: loadErrorMap(undefined, { registry: gateway.registry, extraFiles: options.errorMapFiles }),
      providers: options.providers ?? loadProvidersConfig(undefined, gateway.registry),
      gateway,
      engine,
      caches: createCaches(),
      // Queues of their own: workers of another test file on the same Redis never take this app's jobs.
      jobs: new Jobs(redis, `test-${isolation}`),
      ops: loggedOpsEvents(logger),
      now: () => new Date(Date.now() + offset),
    };
    opened.push(() => deps.jobs.close());
    if (options.workers) {
      const connection = workerConnection(REDIS_URL);
      opened.push(() => connection.disconnect());
      const workers = startWorkers(deps, connection);
      opened.push(() => Promise.all(workers.map((w) => w.close())));
    }
    const app = createApp(deps, [...allRoutes(deps), ...(options.extraRoutes?.(deps) ?? [])]);
    const server: Server = await new Promise((resolve, reject) => {
      // Express 5 hands a listen error (the port) to this callback.
      const s = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
      answerClientErrors(s);
    });
    opened.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
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
      // Server, breakers, worker pool, Redis, then the database if it is the app's own.
      close: closeAll,
    };
  } catch (err) {
    await closeAll().catch(() => undefined);
    throw err;
  }
}
