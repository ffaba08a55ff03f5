import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import { loadPricing, type Pricing } from '../ledger/pricing';
import { AccountHealth } from './account-health';
import { Breakers, loadBreakersConfig, type BreakersConfig } from './breakers';
import { ProviderDrains } from './drains';
import { GatewayMetrics } from './metrics';
import { ProviderStats } from './provider-stats';
import { DEFAULT_REGISTRY, type Registry } from './registry';
import { loadRoutingPolicy, type RoutingPolicy } from './routing';

/** The providers, routing, breakers, account health and prices: what the gateway needs beyond the mapping table. */
export interface Gateway {
  /** The declared providers (adapters/index.ts) and what each can serve. */
  registry: Registry;
  /** The fail-fast connection drains, cooldowns and recent stats live on. */
  redis: Redis;
  /** The defaults of config/routing.json, for orgs without a policy of their own. */
  routing: RoutingPolicy;
  pricing: Pricing;
  breakers: Breakers;
  accountHealth: AccountHealth;
  /** Providers ops took out of routing (shared through Redis). */
  drains: ProviderDrains;
  /** Recent latency and error figures per provider (shared through Redis). */
  stats: ProviderStats;
  metrics: GatewayMetrics;
  /** Draws the weighted order among equal-priority providers (tests make it deterministic). */
  random: () => number;
  /** Where live credentials are read from (process.env unless a test says otherwise). */
  env?: NodeJS.ProcessEnv;
}

export interface GatewayOptions {
  /** The providers (default: adapters/index.ts); a test may declare one of its own. */
  registry?: Registry;
  routing?: RoutingPolicy;
  breakerSettings?: BreakersConfig;
  /** Redis key prefix of account-health cooldowns (tests isolate themselves with one of their own). */
  cooldownPrefix?: string;
  /** Redis key prefix of drains and recent stats (default `verigate`; tests isolate themselves with one of their own). */
  statePrefix?: string;
  random?: () => number;
  env?: NodeJS.ProcessEnv;
  /** Prices and plans (default config/pricing.json, its plans unchecked against a mapping table). */
  pricing?: Pricing;
}

/** Loads config/routing.json, breakers.json and pricing.json (validated against the providers) unless given. */
export function createGateway(redis: Redis, logger: Logger, options: GatewayOptions = {}): Gateway {
  const registry = options.registry ?? DEFAULT_REGISTRY;
  const breakerSettings = options.breakerSettings ?? loadBreakersConfig(undefined, registry);
  const breakers = new Breakers(breakerSettings);
  const state = options.statePrefix ?? 'verigate';
  return {
    registry,
    redis,
    routing: options.routing ?? loadRoutingPolicy(undefined, registry),
    pricing: options.pricing ?? loadPricing(undefined, { registry }),
    breakers,
    accountHealth: new AccountHealth(redis, logger, options.cooldownPrefix),
    drains: new ProviderDrains(redis, logger, `${state}:drains`),
    stats: new ProviderStats(redis, `${state}:recent`),
    metrics: new GatewayMetrics(breakers, registry.ids),
    random: options.random ?? Math.random,
    env: options.env,
  };
}
