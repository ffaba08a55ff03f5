import { z } from 'zod';

/**
 * Every scope a tenant key can hold. A route names the one it needs; a key without it gets `missing scope`.
 * None of them acts on the whole gateway: drains, cooldowns, breakers and orgs are an operator's
 * (src/ops, operator keys), which no scope grants.
 */
export const SCOPES = [
  'customers:write',
  'customers:view',
  'keys:write',
  'keys:view',
  'verifications:write',
  'verifications:view',
  'captures:write',
  'captures:view',
  'matches:write',
  'matches:view',
  'enrollments:write',
  'enrollments:view',
  'kyc:write',
  'kyc:view',
  'usage:view',
  'usage:manage',
  'providers:view',
  'routing:manage',
  'passkeys:write',
  'passkeys:view',
  'passkeys:authenticate',
  'webhooks:manage',
  'events:view',
] as const;

export const Scope = z.enum(SCOPES);
export type Scope = z.infer<typeof Scope>;

export const CAPABILITIES = ['dukcapil', 'hosted_session', 'live_traffic'] as const;
export const Capability = z.enum(CAPABILITIES);
export type Capability = z.infer<typeof Capability>;
