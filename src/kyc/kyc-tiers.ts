import type { Registry } from '../gateway/registry';
import type { KeyMode } from '../tenancy/key-mode';

/** KYC tiers, lowest first: each tier requires everything the one below it does. */
export const TIERS = ['none', 'basic', 'standard', 'premium'] as const;

export type Tier = (typeof TIERS)[number];

/** Position of a tier in `TIERS` (none = 0), for comparisons. */
export const tierRank = (tier: Tier): number => TIERS.indexOf(tier);

export const isTier = (value: unknown): value is Tier => typeof value === 'string' && (TIERS as readonly string[]).includes(value);

/**
 * The facts tiers are built from:
 * - `nikConfirmed`: a registry confirmed the NIK (a passed `name_check`, or a passed registry `identity_selfie`);
 * - `liveness`: a passed selfie capture or a passed `liveness` verification;
 * - `document`: a passed KTP capture or a passed `document` verification;
 * - `registrySelfie`: a passed `identity_selfie` from a registry provider (the selfie matched the registry photo).
 */
export const REQUIREMENTS = ['nikConfirmed', 'liveness', 'document', 'registrySelfie'] as const;

export type Requirement = (typeof REQUIREMENTS)[number];

/** What each tier needs, cumulatively. */
export const TIER_REQUIREMENTS: Record<Tier, readonly Requirement[]> = {
  none: [],
  basic: ['nikConfirmed'],
  standard: ['nikConfirmed', 'liveness', 'document'],
  premium: ['nikConfirmed', 'liveness', 'document', 'registrySelfie'],
};

/**
 * Which key mode is looking. Live sees only live evidence and overrides made with live keys; test sees
 * those plus sandbox ones, so simulator answers and test-key overrides never change a live tier.
 */
export interface KycViewOptions {
  /** Defaults to `live`, the safe reading: sandbox verifications and overrides are left out. */
  keyMode?: KeyMode;
  /** Tells registry-backed identity answers from registry-less ones (default: the shipped declarations). */
  registry?: Registry;
}

export const includesSandbox = (options: KycViewOptions = {}): boolean => options.keyMode === 'test';
