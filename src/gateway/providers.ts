import { z } from 'zod';
import type { CallContext, ProviderId } from '../../adapters/types';
import { ConfigError, readConfigFile } from '../config';
import { AppError } from '../errors/app-error';
import { DEFAULT_REGISTRY, type Registry } from './registry';
import type { KeyMode } from '../tenancy/key-mode';

const Path = z.string().regex(/^\/[\w\-./{}]*$/, 'must be a path starting with /');
const EnvName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be an environment variable name');

/** Where a vendor reached over HTTP is, for both key modes: its declaration's `reach` under this deployment's overrides. */
const HttpReach = z
  .object({
    transport: z.literal('http'),
    /** Per-call timeout, in ms. */
    timeoutMs: z.number().int().positive(),
    /** Overrides of the adapter's endpoint paths, for paths the vendor does not document (Lapis). */
    paths: z.record(z.string(), Path).optional(),
    live: z
      .object({
        baseUrl: z.url({ protocol: /^https$/, error: 'live vendor URLs must be https' }),
        /** Credential name -> environment variable holding it. */
        credentialEnv: z.record(z.string(), EnvName),
      })
      .strict(),
    sandbox: z
      .object({
        /** Port of the simulator. */
        port: z.number().int().min(1).max(65535),
        /** What the simulator accepts: sandbox values, not secrets. */
        credentials: z.record(z.string(), z.string()),
      })
      .strict(),
  })
  .strict();
export type HttpReach = z.infer<typeof HttpReach>;

/** A provider called in this process (the in-house engine): no URL, no credentials, the same for both key modes. */
const InProcessReach = z.object({ transport: z.literal('in_process'), timeoutMs: z.number().int().positive() }).strict();

export type ProviderReach = HttpReach | z.infer<typeof InProcessReach>;
export type ProvidersConfig = Record<ProviderId, ProviderReach>;

/** What config/providers.json may change per provider; everything else comes from the declaration. */
const Override = z
  .object({
    timeoutMs: z.number().int().positive().optional(),
    paths: z.record(z.string(), Path).optional(),
    live: z
      .object({ baseUrl: z.string().optional(), credentialEnv: z.record(z.string(), EnvName).optional() })
      .strict()
      .optional(),
    sandbox: z
      .object({ port: z.number().int().min(1).max(65535).optional() })
      .strict()
      .optional(),
  })
  .strict();

const ProvidersFile = z.object({ $comment: z.string().optional(), providers: z.record(z.string(), Override).default({}) }).strict();

/**
 * Where each provider is reached: the `reach` of its declaration, with this deployment's overrides from
 * config/providers.json (timeouts, corrected paths, another live URL or credential variable, another
 * simulator port). Every result is validated: live URLs are https, credential variables are named.
 */
export function loadProvidersConfig(dir?: string, registry: Registry = DEFAULT_REGISTRY): ProvidersConfig {
  const file = readConfigFile('providers.json', ProvidersFile, dir);
  for (const id of Object.keys(file.providers)) {
    if (!registry.has(id)) throw new ConfigError(`config/providers.json: providers.${id}: no adapter declares provider ${id}`);
  }
  const config: ProvidersConfig = {};
  for (const adapter of registry.adapters) {
    const o = file.providers[adapter.id] ?? {};
    if (adapter.transport === 'in_process') {
      config[adapter.id] = InProcessReach.parse({ transport: 'in_process', timeoutMs: o.timeoutMs ?? adapter.reach.timeoutMs });
      continue;
    }
    const r = adapter.reach;
    const paths = r.paths || o.paths ? { ...r.paths, ...o.paths } : undefined;
    const merged = HttpReach.safeParse({
      transport: 'http',
      timeoutMs: o.timeoutMs ?? r.timeoutMs,
      ...(paths && { paths }),
      live: { baseUrl: o.live?.baseUrl ?? r.live.baseUrl, credentialEnv: { ...r.live.credentialEnv, ...o.live?.credentialEnv } },
      sandbox: { port: o.sandbox?.port ?? r.sandbox.port, credentials: r.sandbox.credentials },
    });
    if (!merged.success) {
      const issue = merged.error.issues[0];
      throw new ConfigError(`providers.${adapter.id}.${issue?.path.join('.')}: ${issue?.message} (declaration or config/providers.json)`);
    }
    config[adapter.id] = merged.data;
  }
  return config;
}

/** Where sandbox calls go: the simulators' host is VERIGATE_SIMULATORS_HOST (default this machine). */
export const simulatorUrl = (reach: HttpReach, env: NodeJS.ProcessEnv = process.env) =>
  `http://${env.VERIGATE_SIMULATORS_HOST || '127.0.0.1'}:${reach.sandbox.port}`;

/**
 * Where and how one call goes. Sandbox keys only ever reach the simulators; live keys reach the vendor
 * with credentials from the environment, and a vendor without them is `provider_not_configured`. An
 * in-process provider has neither: both key modes call it here, with only a timeout (the gateway adds the
 * engine bound to the caller).
 */
export function callContext(
  providers: ProvidersConfig,
  provider: ProviderId,
  keyMode: KeyMode,
  env: NodeJS.ProcessEnv = process.env,
  signal?: AbortSignal,
): CallContext {
  const reach = providers[provider];
  if (!reach) throw new Error(`no reach configured for provider ${provider}`);
  if (reach.transport === 'in_process') return { baseUrl: '', credentials: {}, timeoutMs: reach.timeoutMs, signal };
  if (keyMode === 'test') {
    return {
      baseUrl: simulatorUrl(reach, env),
      credentials: reach.sandbox.credentials,
      timeoutMs: reach.timeoutMs,
      paths: reach.paths,
      signal,
    };
  }
  const credentials: Record<string, string> = {};
  for (const [name, variable] of Object.entries(reach.live.credentialEnv)) {
    const value = env[variable];
    if (!value) throw new AppError('provider_not_configured', { params: { provider }, provider, charged: 'free' });
    credentials[name] = value;
  }
  return { baseUrl: reach.live.baseUrl, credentials, timeoutMs: reach.timeoutMs, paths: reach.paths, signal };
}
