import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { WebhooksFile, webhooksConfigFrom, type WebhooksConfig } from './webhooks/webhooks-config';

export const ROOT_DIR = path.join(__dirname, '..');
const CONFIG_DIR = path.join(ROOT_DIR, 'config');

const RateLimit = z
  .object({
    /** Requests allowed in the window. */
    limit: z.number().int().positive(),
    /** Rolling window length, in seconds. */
    windowSeconds: z.number().int().positive(),
  })
  .strict();
export type RateLimit = z.infer<typeof RateLimit>;

const GatewayFile = z
  .object({
    $comment: z.string().optional(),
    http: z
      .object({
        /** Largest JSON body accepted before parsing, in bytes (default 1 MiB). */
        jsonBodyLimitBytes: z.number().int().positive(),
        /** Deepest nesting of arrays and objects a JSON body may have (default 32); deeper is a 400. */
        jsonMaxDepth: z.number().int().min(2).max(64),
        /** How long shutdown waits for in-flight requests and jobs before closing sockets, in ms. */
        shutdownGraceMs: z.number().int().positive(),
      })
      .strict(),
    idempotency: z
      .object({
        /** Idempotency records are kept at least this long, in hours (Stripe: 24). */
        retentionHours: z.number().positive(),
        /**
         * A claim not renewed for this long, in seconds, was abandoned by a process that died: a retry with the
         * same key takes it over. The request holding it renews it every third of this while it runs.
         */
        lockTimeoutSeconds: z.number().int().positive(),
        /** How often the sweep job deletes expired records, in minutes. */
        sweepEveryMinutes: z.number().int().positive(),
      })
      .strict(),
    verifications: z
      .object({
        /**
         * How long a running verification is known to be alive without news from its run, in seconds: its
         * heartbeat renews it every third of this. Longer than any provider's per-call timeout, so a live
         * call is never taken for an abandoned one.
         */
        leaseSeconds: z.number().int().min(3),
        /** How often the worker settles verifications whose lease ran out (their process died), in seconds. */
        sweepEverySeconds: z.number().int().positive(),
        /** Asynchronous verifications (`mode: "async"`) run at most this many at once per worker process (default 8). */
        asyncConcurrency: z.number().int().positive().default(8),
        /**
         * A vendor flow waiting on the person: asked about again after `firstSeconds` (default 60), then twice as
         * long each time up to `maxSeconds` (default 3600); ended `expired` once `limitSeconds` (default 259200,
         * 72 h) after it was accepted.
         */
        flowWaits: z
          .object({
            firstSeconds: z.number().positive(),
            maxSeconds: z.number().positive(),
            limitSeconds: z.number().positive(),
          })
          .default({ firstSeconds: 60, maxSeconds: 3600, limitSeconds: 259_200 }),
      })
      .strict(),
    sessions: z
      .object({
        /**
         * A hosted session's final webhook is overdue this long after the session could last have ended (its
         * link's expiry plus the time the person had on the page), in seconds (default 900): then its status is
         * fetched once. iDenfy says its webhooks arrive within 20 minutes and asks not to be polled.
         */
        followUpMarginSeconds: z.number().int().min(0).default(900),
        /** How often the worker looks for overdue sessions and webhooks not yet applied, in seconds (default 60). */
        followUpEverySeconds: z.number().int().positive().default(60),
        /**
         * A webhook reporting a state older than this is refused as stale (400), in hours (default 168, beyond
         * iDenfy's retries and a manual resend from its dashboard within the week). One dated in the future by
         * more than five minutes is refused too.
         */
        webhookMaxAgeHours: z.number().positive().default(168),
      })
      .strict()
      .default({ followUpMarginSeconds: 900, followUpEverySeconds: 60, webhookMaxAgeHours: 168 }),
    reconciliation: z
      .object({
        /**
         * An `unknown` ledger row is asked about through its vendor's status API once it is this old, in minutes
         * (default 1440: after a session's own follow-up and the vendor's webhook retries had their chance).
         */
        afterMinutes: z.number().min(0).default(1440),
        /** How often the worker looks for such rows, in minutes (default 60). */
        everyMinutes: z.number().positive().default(60),
      })
      .strict()
      .default({ afterMinutes: 1440, everyMinutes: 60 }),
  })
  .strict();

const RateLimitsFile = z.object({ $comment: z.string().optional(), operations: z.record(z.string(), RateLimit) }).strict();

const Env = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  VERIGATE_SIMULATORS_LISTEN: z.string().min(1).default('127.0.0.1'),
  VERIGATE_RATE_LIMITS_FILE: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).optional(),
  VERIGATE_DATA_DIR: z.string().default(path.join(ROOT_DIR, '.data')),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// URL' }).default('redis://127.0.0.1:6379'),
  /** Redis key prefix of every BullMQ queue (default `verigate`): deployments or test runs sharing one Redis keep apart. */
  VERIGATE_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1-40 letters, digits, - or _')
    .default('verigate'),
  /** Where the gateway is reached from its simulators when they run as their own service (`--role simulators`). */
  VERIGATE_GATEWAY_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }).optional(),
  VERIGATE_SIMULATOR_PORTS: z.enum(['declared', 'ephemeral']).default('declared'),
  VERIGATE_MASTER_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, 'must be 64 hex characters (32 random bytes)')
    .optional(),
});

export interface Config {
  env: 'development' | 'test' | 'production';
  port: number;
  host: string;
  /**
   * Where the vendor simulators listen (VERIGATE_SIMULATORS_LISTEN, default 127.0.0.1): their `/__sim/*`
   * controls are unauthenticated, so they stay on loopback unless a deployment says otherwise.
   */
  simulatorsListen: string;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  /** Server Postgres when set; otherwise PGlite under `dataDir/pglite`. */
  databaseUrl?: string;
  dataDir: string;
  redisUrl: string;
  /** Redis key prefix of the job queues. */
  queuePrefix: string;
  /** The gateway's URL as its simulators reach it when they run alone (webhooks); beside the API they know it. */
  gatewayUrl?: string;
  /**
   * Where the embedded run's vendor simulators listen: their declared ports (7101...), or free ports the OS
   * picks (`ephemeral`: several runs on one machine; the banner says where).
   */
  simulatorPorts: 'declared' | 'ephemeral';
  /** Root secret: API-key digests and the encryption of per-key hmacKeys derive from it. */
  masterKey: Buffer;
  http: z.infer<typeof GatewayFile>['http'];
  idempotency: z.infer<typeof GatewayFile>['idempotency'];
  verifications: z.infer<typeof GatewayFile>['verifications'];
  sessions: z.infer<typeof GatewayFile>['sessions'];
  /** The reconciliation of unknown charges through vendors' status APIs (src/finance/reconcile-unknown.ts). */
  reconciliation: z.infer<typeof GatewayFile>['reconciliation'];
  rateLimits: Record<string, RateLimit>;
  /** Outbound webhooks (config/webhooks.json, VERIGATE_WEBHOOK_ALLOW over its allow-list). */
  webhooks: WebhooksConfig;
}

/** Reads a config file and validates it, naming the file and the setting when it is wrong. */
export function readConfigFile<T>(name: string, schema: z.ZodType<T>, dir = CONFIG_DIR): T {
  const file = path.join(dir, name);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file}: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describe(file, parsed.error));
  return parsed.data;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function describe(where: string, error: z.ZodError): string {
  const lines = error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
  return `invalid configuration in ${where}:\n${lines.join('\n')}`;
}

/**
 * The process configuration: environment variables over `config/*.json`. Fails fast with every bad
 * setting named. Outside production a missing master key is created once under the data folder so the
 * embedded run needs no setup; production must set VERIGATE_MASTER_KEY.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, configDir = CONFIG_DIR): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) throw new ConfigError(describe('environment', parsed.error));
  const e = parsed.data;
  const gateway = readConfigFile('gateway.json', GatewayFile, configDir);
  // Another limits file replaces config/rate-limits.json whole (harnesses that measure something else, such as bench/chaos).
  const limitsFile = e.VERIGATE_RATE_LIMITS_FILE ? path.resolve(e.VERIGATE_RATE_LIMITS_FILE) : path.join(configDir, 'rate-limits.json');
  const limits = readConfigFile(path.basename(limitsFile), RateLimitsFile, path.dirname(limitsFile));
  const webhooks = readConfigFile('webhooks.json', WebhooksFile, configDir);
  const dataDir = path.resolve(e.VERIGATE_DATA_DIR);
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    simulatorsListen: e.VERIGATE_SIMULATORS_LISTEN,
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    redisUrl: e.REDIS_URL,
    gatewayUrl: e.VERIGATE_GATEWAY_URL,
    queuePrefix: e.VERIGATE_QUEUE_PREFIX,
    simulatorPorts: e.VERIGATE_SIMULATOR_PORTS,
    masterKey: resolveMasterKey(e.VERIGATE_MASTER_KEY, e.NODE_ENV, dataDir),
    http: gateway.http,
    idempotency: gateway.idempotency,
    verifications: gateway.verifications,
    sessions: gateway.sessions,
    reconciliation: gateway.reconciliation,
    rateLimits: limits.operations,
    webhooks: webhooksConfigFrom(webhooks, env),
  };
}

function resolveMasterKey(hex: string | undefined, env: Config['env'], dataDir: string): Buffer {
  if (hex) return Buffer.from(hex, 'hex');
  if (env === 'production') throw new ConfigError('VERIGATE_MASTER_KEY: required in production (64 hex characters)');
  const file = path.join(dataDir, 'master.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process starting at the same moment wrote it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}
