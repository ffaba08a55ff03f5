import type { Redis } from 'ioredis';
import type { Caches } from './cache/caches';
import type { Config } from './config';
import type { Engine } from './engine/engine';
import type { ErrorMap } from './gateway/error-map';
import type { Gateway } from './gateway/gateway';
import type { Jobs } from './jobs/jobs';
import type { ProvidersConfig } from './gateway/providers';
import type { Logger } from './logger';
import type { OpsEvents } from './ops/ops-events';
import type { Db } from './store/db';
import type { KeyMaterial } from './tenancy/key-material';
import type { KeyMode } from './tenancy/key-mode';
import type { Scope } from './tenancy/scopes';

/**
 * What use cases, routes and workers are built from: the database, Redis, tables and clock. The runtime
 * builds it once per process (src/runtime.ts); tests build it with their own database, Redis and clock.
 */
export interface AppDeps {
  config: Config;
  db: Db;
  /** A fail-fast connection (no offline queue) for rate limits and readiness. */
  redis: Redis;
  logger: Logger;
  keys: KeyMaterial;
  /** The mapping table of config/error-map, validated at start. */
  errorMap: ErrorMap;
  /** Where each provider is reached, per key mode (declarations under config/providers.json). */
  providers: ProvidersConfig;
  /** The providers, routing policy, breakers, account health and prices (config/routing.json, breakers.json, pricing.json). */
  gateway: Gateway;
  /** The in-house engine's shared parts (analysis worker pool, replay guard); closed at shutdown. */
  engine: Engine;
  /** Short-lived copies of keys, customers and routing policies (src/cache/caches.ts). */
  caches: Caches;
  /** Where use cases hand work to the workers (BullMQ queues over `redis`). */
  jobs: Jobs;
  /** Where audited operator actions are announced (src/ops/ops-events.ts). */
  ops: OpsEvents;
  /** Injected so expiry rules can be tested without waiting. */
  now: () => Date;
}

/** On whose behalf a use case runs: the org and key of the request (or of the job that carries its ids). */
export interface Caller {
  orgId: string;
  keyId: string;
  keyMode: KeyMode;
  scopes: readonly Scope[];
}
