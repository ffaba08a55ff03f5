import { z } from 'zod';
import { CHECKS, type Check } from '../../adapters/types';
import { readConfigFile } from '../config';
import { operationFor } from './capabilities';
import { VENDORS, type VendorId } from './providers';

const RoutingFile = z
  .object({
    $comment: z.string().optional(),
    /** May the next provider be tried after an attempt whose charge is unknown (default false)? */
    allowFailoverAfterUnknown: z.boolean().default(false),
    /** Per check (every check must be listed), the providers tried in this order. */
    checks: z.record(z.enum(CHECKS), z.array(z.enum(VENDORS as [VendorId, ...VendorId[]])).min(1)),
  })
  .strict();

export interface RoutingPolicy {
  allowFailoverAfterUnknown: boolean;
  checks: Partial<Record<Check, VendorId[]>>;
}

/** A provider and the operation of its adapter that will answer the check. */
export interface Candidate {
  provider: VendorId;
  operation: string;
}

/** Loads config/routing.json; a provider listed for a check its adapter cannot serve stops the start. */
export function loadRoutingPolicy(dir?: string): RoutingPolicy {
  const file = readConfigFile('routing.json', RoutingFile, dir);
  for (const [check, providers] of Object.entries(file.checks) as [Check, VendorId[]][]) {
    for (const provider of providers) {
      if (!operationFor(provider, check)) throw new Error(`config/routing.json: ${provider} has no operation serving ${check}`);
    }
  }
  return { allowFailoverAfterUnknown: file.allowFailoverAfterUnknown, checks: file.checks };
}

/** The candidates for one verification: the policy's order, or only the pinned provider when one is named. */
export function candidatesFor(policy: RoutingPolicy, check: Check, pinned?: VendorId): Candidate[] {
  const providers = pinned ? [pinned] : (policy.checks[check] ?? []);
  return providers.flatMap((provider) => {
    const operation = operationFor(provider, check);
    return operation ? [{ provider, operation }] : [];
  });
}
