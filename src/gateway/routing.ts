import { z } from 'zod';
import { CHECKS, type Check, type ProviderId } from '../../adapters/types';
import { ConfigError, readConfigFile } from '../config';
import { DEFAULT_REGISTRY, type Registry } from './registry';

const RoutingFile = z
  .object({
    $comment: z.string().optional(),
    /** May the next provider be tried after an attempt whose charge is unknown (default false)? */
    allowFailoverAfterUnknown: z.boolean().default(false),
    /** Per check (every check must be listed), the providers tried in this order. */
    checks: z.record(z.enum(CHECKS), z.array(z.string()).min(1)),
  })
  .strict();

export interface RoutingPolicy {
  allowFailoverAfterUnknown: boolean;
  checks: Partial<Record<Check, ProviderId[]>>;
}

/** A provider and the operation of its adapter that will answer the check. */
export interface Candidate {
  provider: ProviderId;
  operation: string;
}

/** Loads config/routing.json; a provider nobody declared, or listed for a check it cannot serve, stops the start. */
export function loadRoutingPolicy(dir?: string, registry: Registry = DEFAULT_REGISTRY): RoutingPolicy {
  const file = readConfigFile('routing.json', RoutingFile, dir);
  for (const [check, providers] of Object.entries(file.checks) as [Check, ProviderId[]][]) {
    for (const provider of providers) {
      if (!registry.has(provider)) throw new ConfigError(`config/routing.json: checks.${check}: no adapter declares provider ${provider}`);
      if (!registry.operationFor(provider, check))
        throw new ConfigError(`config/routing.json: ${provider} has no operation serving ${check}`);
    }
  }
  return { allowFailoverAfterUnknown: file.allowFailoverAfterUnknown, checks: file.checks };
}
