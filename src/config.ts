import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

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
      })
      .strict(),
  })
  .strict();

const RateLimitsFile = z
  .object({ $comment: z.string().optional(), operations: z.record(z.string(), RateLimit) })
  .strict();

const Env = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).optional(),
  VERIGATE_DATA_DIR: z.string().default(path.join(ROOT_DIR, '.data')),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// URL' }).default('redis://127.0.0.1:6379'),
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
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  /** Server Postgres when set; otherwise PGlite under `dataDir/pglite`. */
  databaseUrl?: string;
  dataDir: string;
  redisUrl: string;
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
  rateLimits: Record<string, RateLimit>;
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
  const limits = readConfigFile('rate-limits.json', RateLimitsFile, configDir);
  const dataDir = path.resolve(e.VERIGATE_DATA_DIR);
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    redisUrl: e.REDIS_URL,
    simulatorPorts: e.VERIGATE_SIMULATOR_PORTS,
    masterKey: resolveMasterKey(e.VERIGATE_MASTER_KEY, e.NODE_ENV, dataDir),
    http: gateway.http,
    idempotency: gateway.idempotency,
    verifications: gateway.verifications,
    rateLimits: limits.operations,
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
