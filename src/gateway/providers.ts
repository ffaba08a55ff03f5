import { z } from 'zod';
import type { CallContext } from '../../adapters/types';
import { readConfigFile } from '../config';
import { AppError } from '../errors/app-error';

const Provider = z
  .object({
    /** Per-call timeout, in ms. */
    timeoutMs: z.number().int().positive(),
    /** Overrides of the adapter's endpoint paths, for paths the vendor does not document (Lapis). */
    paths: z.record(z.string(), z.string().regex(/^\/[\w\-./{}]*$/, 'must be a path starting with /')).optional(),
    live: z
      .object({
        baseUrl: z.url({ protocol: /^https$/, error: 'live vendor URLs must be https' }),
        /** Credential name -> environment variable holding it. */
        credentialEnv: z.record(z.string(), z.string().regex(/^[A-Z][A-Z0-9_]*$/)),
      })
      .strict(),
    sandbox: z
      .object({
        /** Loopback port of the simulator. */
        port: z.number().int().min(1).max(65535),
        /** What the simulator accepts: sandbox values, not secrets. */
        credentials: z.record(z.string(), z.string()),
      })
      .strict(),
  })
  .strict();

const ProvidersFile = z
  .object({ $comment: z.string().optional(), providers: z.object({ accuauth: Provider, idenfy: Provider, lapis: Provider }).strict() })
  .strict();

export type VendorId = keyof z.infer<typeof ProvidersFile>['providers'];
export type ProviderSettings = z.infer<typeof Provider>;
export type ProvidersConfig = Record<VendorId, ProviderSettings>;

export const VENDORS: readonly VendorId[] = ['accuauth', 'idenfy', 'lapis'];

export function loadProvidersConfig(dir?: string): ProvidersConfig {
  return readConfigFile('providers.json', ProvidersFile, dir).providers;
}

/** Where sandbox calls go: the simulators' host is VERIGATE_SIMULATORS_HOST (default this machine). */
export const simulatorUrl = (settings: ProviderSettings, env: NodeJS.ProcessEnv = process.env) =>
  `http://${env.VERIGATE_SIMULATORS_HOST || '127.0.0.1'}:${settings.sandbox.port}`;

/**
 * Where and how one call goes. Sandbox keys only ever reach the simulators; live keys reach the vendor
 * with credentials from the environment, and a vendor without them is `provider_not_configured`.
 */
export function callContext(
  providers: ProvidersConfig,
  provider: VendorId,
  mode: 'test' | 'live',
  env: NodeJS.ProcessEnv = process.env,
  signal?: AbortSignal,
): CallContext {
  const settings = providers[provider];
  if (mode === 'test') {
    return { baseUrl: simulatorUrl(settings, env), credentials: settings.sandbox.credentials, timeoutMs: settings.timeoutMs, paths: settings.paths, signal };
  }
  const credentials: Record<string, string> = {};
  for (const [name, variable] of Object.entries(settings.live.credentialEnv)) {
    const value = env[variable];
    if (!value) throw new AppError('provider_not_configured', { params: { provider }, provider, charged: 'free' });
    credentials[name] = value;
  }
  return { baseUrl: settings.live.baseUrl, credentials, timeoutMs: settings.timeoutMs, paths: settings.paths, signal };
}
