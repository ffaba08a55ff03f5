import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import { loadPricing, type Pricing } from '../ledger/pricing';
import { AccountHealth } from './account-health';
import { Breakers, loadBreakersConfig, type BreakersConfig } from './breakers';
import { loadRoutingPolicy, type RoutingPolicy } from './routing';

/** Routing, breakers, account health and prices: what the gateway needs beyond the mapping table. */
export interface Gateway {
  routing: RoutingPolicy;
  pricing: Pricing;
  breakers: Breakers;
  breakerSettings: BreakersConfig;
  accountHealth: AccountHealth;
  /** Where live credentials are read from (process.env unless a test says otherwise). */
  env?: NodeJS.ProcessEnv;
}

export interface GatewayOptions {
  routing?: RoutingPolicy;
  breakerSettings?: BreakersConfig;
  /** Redis key prefix of account-health cooldowns (tests isolate themselves with one of their own). */
  cooldownPrefix?: string;
  env?: NodeJS.ProcessEnv;
}

/** Loads config/routing.json, breakers.json and pricing.json (validated) unless given. */
export function createGateway(redis: Redis, logger: Logger, options: GatewayOptions = {}): Gateway {
  const breakerSettings = options.breakerSettings ?? loadBreakersConfig();
  return {
    routing: options.routing ?? loadRoutingPolicy(),
    pricing: loadPricing(),
    breakers: new Breakers(breakerSettings),
    breakerSettings,
    accountHealth: new AccountHealth(redis, logger, options.cooldownPrefix),
    env: options.env,
  };
}
