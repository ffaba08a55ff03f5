import type { KeyMode } from '../tenancy/key-mode';
import CircuitBreaker from 'opossum';
import { z } from 'zod';
import { readConfigFile } from '../config';
import type { ProviderId } from '../../adapters/types';
import { ConfigError } from '../config';
import { DEFAULT_REGISTRY, type Registry } from './registry';

const Settings = z
  .object({
    /** Failure rate above which the breaker opens, in percent of calls in the rolling window. */
    errorThresholdPercentage: z.number().min(1).max(100),
    /** Calls in the window before the rate is judged at all. */
    volumeThreshold: z.number().int().min(0),
    /** Length of the rolling window, in ms. */
    rollingCountTimeoutMs: z.number().int().positive(),
    /** How long an open breaker rejects before letting one trial call through, in ms. */
    resetTimeoutMs: z.number().int().positive(),
    /** Concurrent calls allowed per provider; more are rejected at once. */
    capacity: z.number().int().positive(),
    /** How long an account-health answer (quota, funds, credentials) keeps the provider out, in ms. */
    accountCooldownMs: z.number().int().positive(),
  })
  .strict();
export type BreakerSettings = z.infer<typeof Settings>;

const BreakersFile = z
  .object({ $comment: z.string().optional(), default: Settings, providers: z.record(z.string(), Settings.partial()).default({}) })
  .strict();

export type BreakersConfig = Record<ProviderId, BreakerSettings>;

/** Every provider's settings: config/breakers.json's `default` under the provider's own overrides. */
export function loadBreakersConfig(dir?: string, registry: Registry = DEFAULT_REGISTRY): BreakersConfig {
  const file = readConfigFile('breakers.json', BreakersFile, dir);
  for (const id of Object.keys(file.providers)) {
    if (!registry.has(id)) throw new ConfigError(`config/breakers.json: providers.${id}: no adapter declares provider ${id}`);
  }
  const config: BreakersConfig = {};
  for (const p of registry.ids) config[p] = Settings.parse({ ...file.default, ...file.providers[p] });
  return config;
}

/**
 * Thrown inside the breaker for an outcome the mapping table marks `breaker: true` (or a transport
 * failure), so opossum counts it; it carries the outcome out again for the caller to record.
 */
export class BreakerWorthy<T> extends Error {
  constructor(readonly outcome: T) {
    super('provider-health failure');
  }
}

/** Why a breaker refused a call without making it. */
export type Refusal = 'breaker_open' | 'breaker_saturated';

export type Guarded<T> = { ran: true; value: T } | { ran: false; reason: Refusal };

/**
 * One opossum breaker per provider and key mode: sandbox traffic against a simulator must never open the
 * live breaker. opossum's own timeout is off: each call carries its own AbortSignal (CallContext), so a
 * timeout aborts only that call's socket, never its siblings' (reliability A10 C9).
 */
export class Breakers {
  private readonly breakers = new Map<string, CircuitBreaker<[() => Promise<unknown>], unknown>>();

  constructor(private readonly settings: BreakersConfig) {}

  /**
   * Runs `call` under the provider's breaker. `isHealthFailure` decides, from the outcome, whether this
   * call counts against the provider; other outcomes (a mismatch, bad input) count as successes.
   */
  async run<T>(keyMode: KeyMode, provider: ProviderId, call: () => Promise<T>, isHealthFailure: (outcome: T) => boolean): Promise<Guarded<T>> {
    const breaker = this.breaker(keyMode, provider);
    try {
      const value = (await breaker.fire(async () => {
        const outcome = await call();
        if (isHealthFailure(outcome)) throw new BreakerWorthy(outcome);
        return outcome;
      })) as T;
      return { ran: true, value };
    } catch (err) {
      if (err instanceof BreakerWorthy) return { ran: true, value: err.outcome as T };
      const code = (err as { code?: string }).code;
      if (code === 'EOPENBREAKER') return { ran: false, reason: 'breaker_open' };
      if (code === 'ESEMLOCKED') return { ran: false, reason: 'breaker_saturated' };
      throw err;
    }
  }

  /** The provider's settings; throws for a provider no settings were loaded for (a wiring fault). */
  settingsOf(provider: ProviderId): BreakerSettings {
    const s = this.settings[provider];
    if (!s) throw new Error(`no breaker settings for provider ${provider}`);
    return s;
  }

  /** `closed`, `open` or `half_open`, for ops views and tests. */
  state(keyMode: KeyMode, provider: ProviderId): 'closed' | 'open' | 'half_open' {
    const breaker = this.breakers.get(`${keyMode}:${provider}`);
    if (!breaker || breaker.closed) return 'closed';
    return breaker.halfOpen ? 'half_open' : 'open';
  }

  /** Closes the provider's breaker on this instance (breakers are per instance); returns the state it was in. */
  reset(keyMode: KeyMode, provider: ProviderId): 'closed' | 'open' | 'half_open' {
    const was = this.state(keyMode, provider);
    this.breakers.get(`${keyMode}:${provider}`)?.close();
    return was;
  }

  shutdown(): void {
    for (const breaker of this.breakers.values()) breaker.shutdown();
    this.breakers.clear();
  }

  private breaker(keyMode: KeyMode, provider: ProviderId) {
    const key = `${keyMode}:${provider}`;
    let breaker = this.breakers.get(key);
    if (!breaker) {
      const s = this.settingsOf(provider);
      breaker = new CircuitBreaker((call: () => Promise<unknown>) => call(), {
        name: key,
        timeout: false,
        errorThresholdPercentage: s.errorThresholdPercentage,
        volumeThreshold: s.volumeThreshold,
        rollingCountTimeout: s.rollingCountTimeoutMs,
        resetTimeout: s.resetTimeoutMs,
        capacity: s.capacity,
        // An exception that is not a health failure (our own input check refusing before any call) must not count.
        errorFilter: (err: unknown) => !(err instanceof BreakerWorthy),
      });
      this.breakers.set(key, breaker);
    }
    return breaker;
  }
}
