import type { Redis } from 'ioredis';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Db } from '../store/db';
import type { KeyMaterial } from '../tenancy/key-material';
import type { Scope } from '../tenancy/scopes';

/** What the HTTP layer is built from; tests build it with their own database, Redis and clock. */
export interface AppDeps {
  config: Config;
  db: Db;
  /** A fail-fast connection (no offline queue) for rate limits and readiness. */
  redis: Redis;
  logger: Logger;
  keys: KeyMaterial;
  /** Injected so expiry rules can be tested without waiting. */
  now: () => Date;
}

/** Who is calling, set by the auth middleware. */
export interface Caller {
  orgId: string;
  keyId: string;
  mode: 'test' | 'live';
  scopes: readonly Scope[];
}
