import type { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ProviderId } from '../adapters/types';
import type { Config } from './config';
import { createCaches } from './cache/caches';
import type { AppDeps } from './deps';
import { createEngine } from './engine/engine';
import { errorCatalog } from './errors/catalog';
import { loadErrorMap, plansOf } from './gateway/error-map';
import { createGateway } from './gateway/gateway';
import { loadProvidersConfig, type ProvidersConfig } from './gateway/providers';
import { DEFAULT_REGISTRY } from './gateway/registry';
// The composition root: the one file outside src/http that starts the HTTP server.
import { startApiServer, type ApiServer, type ApiServerOptions } from './http/server';
import { Jobs } from './jobs/jobs';
import {
  maintenanceQueue,
  QUEUES,
  scheduleFollowUps,
  scheduleMaintenance,
  scheduleReconciliation,
  scheduleSettling,
  scheduleWebhookSweep,
} from './jobs/queues';
import { checkEvictionPolicy, producerConnection, whenReady, workerConnection } from './jobs/redis';
import { startWorkers } from './jobs/workers';
import type { Logger } from './logger';
import { openStore } from './store/open-store';
import { startSimulators, stopSimulators } from './simulators';
import { KeyMaterial } from './tenancy/key-material';
import { loadPricing } from './ledger/pricing';
import { loggedOpsEvents } from './ops/ops-events';

export type Role = 'api' | 'worker' | 'simulators';

export interface Runtime {
  /** The API's base URL when the api role runs. */
  url?: string;
  /** Database, Redis and tables, when the api or worker role runs. */
  deps?: AppDeps;
  /** Each vendor simulator's base URL, by provider, when the simulators role runs. */
  simulators?: Record<string, string>;
  /** Stops accepting, lets in-flight requests and jobs finish (up to the grace period), then closes everything. */
  shutdown(reason: string): Promise<void>;
}

export interface RuntimeOptions {
  /** Where providers are reached, instead of the declarations under config/providers.json (tests' simulators on their own ports). */
  providers?: ProvidersConfig;
  /** Routes served beside the API's own (used by tests that need a deliberately slow endpoint). */
  extraRoutes?: (deps: AppDeps) => ApiServerOptions['extraRoutes'];
}

/** Starts the requested roles against the configured database and Redis. */
export async function startRuntime(config: Config, logger: Logger, roles: Role[], options: RuntimeOptions = {}): Promise<Runtime> {
  // Tables first: a bad row or setting stops the start before anything listens.
  logger.info({ roles }, 'warm-up: loading the error catalog, mapping table and provider declarations');
  errorCatalog();
  const registry = DEFAULT_REGISTRY;
  const errorMap = loadErrorMap(undefined, { registry });
  let providers = options.providers ?? loadProvidersConfig(undefined, registry);
  // Vendors that send webhooks (iDenfy's simulator) send them to this process's API once it listens.
  let apiUrl: string | undefined;
  const gatewayUrl = () => apiUrl ?? config.gatewayUrl;
  if (roles.includes('simulators')) logger.info('warm-up: starting the vendor simulators');
  const ephemeral = config.simulatorPorts === 'ephemeral';
  // Their /__sim/* controls have no authentication: loopback unless VERIGATE_SIMULATORS_LISTEN says otherwise.
  const simulators = roles.includes('simulators')
    ? await startSimulators(registry, ephemeral ? onPort(providers, () => 0) : providers, config.simulatorsListen, { gatewayUrl })
    : undefined;
  // Sandbox calls go where the simulators really listen.
  if (simulators && ephemeral) providers = onPort(providers, (id) => Number(new URL(simulators[id]!.url).port));
  const simulatorUrls = simulators && Object.fromEntries(Object.entries(simulators).map(([k, v]) => [k, v.url]));
  if (!roles.includes('api') && !roles.includes('worker')) {
    return { simulators: simulatorUrls, shutdown: async () => simulators && stopSimulators(simulators) };
  }
  logger.info(
    config.databaseUrl
      ? 'warm-up: connecting to server Postgres and applying migrations'
      : `warm-up: opening the embedded PGlite under ${config.dataDir} and applying migrations`,
  );
  const dbStarted = Date.now();
  const db = await openStore(config);
  logger.info({ ms: Date.now() - dbStarted }, 'warm-up: database ready');
  logger.info({ redis: redactedUrl(config.redisUrl) }, 'warm-up: connecting to Redis');
  const redis = producerConnection(config.redisUrl);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  await whenReady(redis);
  await checkEvictionPolicy(redis, logger);

  const deps: AppDeps = {
    config,
    db,
    redis,
    logger,
    keys: new KeyMaterial(config.masterKey),
    errorMap,
    providers,
    gateway: createGateway(redis, logger, { registry, pricing: loadPricing(undefined, { registry, knownPlans: plansOf(errorMap) }) }),
    engine: createEngine(redis),
    caches: createCaches(),
    jobs: new Jobs(redis, config.queuePrefix),
    ops: loggedOpsEvents(logger),
    now: () => new Date(),
  };

  let workers: Worker[] = [];
  let workerRedis: Redis | undefined;
  let queue: Queue | undefined;
  if (roles.includes('worker')) {
    logger.info('warm-up: scheduling the maintenance jobs and starting the BullMQ workers');
    workerRedis = workerConnection(config.redisUrl);
    workerRedis.on('error', (err) => logger.warn({ err: err.message }, 'redis worker connection error'));
    queue = maintenanceQueue(redis, config.queuePrefix);
    await scheduleMaintenance(queue, config.idempotency.sweepEveryMinutes);
    await scheduleSettling(queue, config.verifications.sweepEverySeconds);
    await scheduleFollowUps(queue, config.sessions.followUpEverySeconds);
    await scheduleReconciliation(queue, config.reconciliation.everyMinutes);
    await scheduleWebhookSweep(deps.jobs.queue(QUEUES.webhooks), config.webhooks.sweepEverySeconds);
    workers = startWorkers(deps, workerRedis);
  }

  let api: ApiServer | undefined;
  if (roles.includes('api')) {
    api = await startApiServer(deps, { port: config.port, host: config.host, extraRoutes: options.extraRoutes?.(deps) });
    apiUrl = api.url;
    logger.info({ url: api.url, roles }, 'verigate listening');
  }

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string) => {
    stopping ??= (async () => {
      logger.info({ reason }, 'shutting down: no new requests or jobs; finishing in-flight work');
      const grace = config.http.shutdownGraceMs;
      await Promise.all([api?.close(grace), ...workers.map((w) => withDeadline(w.close(), grace, () => w.close(true)))]);
      await queue?.close();
      await deps.jobs.close();
      deps.gateway.breakers.shutdown();
      await deps.gateway.stats.flush().catch(() => undefined);
      await deps.engine.pool.close();
      await Promise.allSettled([redis.quit(), workerRedis?.quit()]);
      await db.close();
      if (simulators) await stopSimulators(simulators);
      logger.info('shutdown complete');
    })();
    return stopping;
  };
  return { url: api?.url, deps, simulators: simulatorUrls, shutdown };
}

/** The providers with each simulated one's sandbox port replaced. */
function onPort(providers: ProvidersConfig, port: (id: ProviderId) => number): ProvidersConfig {
  return Object.fromEntries(
    Object.entries(providers).map(([id, reach]) => [
      id,
      reach?.transport === 'http' ? { ...reach, sandbox: { ...reach.sandbox, port: port(id as ProviderId) } } : reach,
    ]),
  ) as ProvidersConfig;
}

/** A Redis URL without its password, for logs and the banner. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable REDIS_URL)';
  }
}

async function withDeadline(work: Promise<unknown>, ms: number, onTimeout: () => Promise<unknown> | void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  const outcome = await Promise.race([work.then(() => 'done' as const), late]);
  clearTimeout(timer);
  if (outcome === 'late') await onTimeout();
}
