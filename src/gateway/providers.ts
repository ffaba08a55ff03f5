import { z } from 'zod';
import type { CallContext } from '../../adapters/types';
import { readConfigFile } from '../config';
import { AppError } from '../errors/app-error';

const HttpProvider = z
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

/** A provider called in this process (the in-house engine): no URL, no credentials, the same for both key modes. */
const InProcessProvider = z
  .object({
    transport: z.literal('in_process'),
    /** Per-call timeout, in ms. */
    timeoutMs: z.number().int().positive(),
  })
  .strict();

const ProvidersFile = z
  .object({
    $comment: z.string().optional(),
    providers: z.object({ accuauth: HttpProvider, idenfy: HttpProvider, lapis: HttpProvider, inhouse: InProcessProvider }).strict(),
  })
  .strict();

export type ProvidersConfig = z.infer<typeof ProvidersFile>['providers'];
export type VendorId = keyof ProvidersConfig;
/** The vendors reached over HTTP, each with a simulator behind sandbox keys. */
export type HttpVendorId = { [P in VendorId]: ProvidersConfig[P] extends { transport: 'in_process' } ? never : P }[VendorId];
export type ProviderSettings = z.infer<typeof HttpProvider>;

export const VENDORS: readonly VendorId[] = ['accuauth', 'idenfy', 'lapis', 'inhouse'];

export function loadProvidersConfig(dir?: string): ProvidersConfig {
  return readConfigFile('providers.json', ProvidersFile, dir).providers;
}

/** Where sandbox calls go: the simulators' host is VERIGATE_SIMULATORS_HOST (default this machine). */
export const simulatorUrl = (settings: ProviderSettings, env: NodeJS.ProcessEnv = process.env) =>
  `http://${env.VERIGATE_SIMULATORS_HOST || '127.0.0.1'}:${settings.sandbox.port}`;

/**
 * Where and how one call goes. Sandbox keys only ever reach the simulators; live keys reach the vendor
 * with credentials from the environment, and a vendor without them is `provider_not_configured`. An
 * in-process provider has neither: both key modes call it here, with only a timeout (the gateway adds the
 * engine bound to the caller).
 */
export function callContext(
  providers: ProvidersConfig,
  provider: VendorId,
  mode: 'test' | 'live',
  env: NodeJS.ProcessEnv = process.env,
  signal?: AbortSignal,
): CallContext {
  const settings = providers[provider];
  if ('transport' in settings) return { baseUrl: '', credentials: {}, timeoutMs: settings.timeoutMs, signal };
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
