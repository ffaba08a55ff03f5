import { TIERS, tierRank, type Tier } from './kyc-tiers';

/** Seed 000: an analyst override needs a reason of at least 20 characters (after trimming). */
export const MIN_OVERRIDE_REASON_CHARS = 20;

/** Is this (already trimmed) reason long enough to justify an override? */
export const overrideReasonLongEnough = (reason: string): boolean => reason.length >= MIN_OVERRIDE_REASON_CHARS;

/** Where a customer stands when an analyst acts: the tier they hold (an earlier override's, else the eligible one) and the one the evidence supports. */
export interface TierStanding {
  held: Tier;
  eligible: Tier;
}

/**
 * The highest tier an override may set now. Lowering is always allowed (a restriction on suspicion).
 * Raising goes one tier at a time past the evidence, or past the tier an earlier override set: seed 000's
 * "upgrade in two steps with reasons each", so every tier granted without evidence has its own audited
 * reason. A restriction below the evidence does not hold an upgrade back: it is measured from the evidence.
 */
export function highestOverrideTier({ held, eligible }: TierStanding): Tier {
  const from = Math.max(tierRank(held), tierRank(eligible));
  return TIERS[Math.min(from + 1, TIERS.length - 1)] as Tier;
}

/** May an analyst set `requested` now? False only for an upgrade of more than one step (409 `tier_upgrade_too_far`). */
export const overrideAllowed = (standing: TierStanding, requested: Tier): boolean =>
  tierRank(requested) <= tierRank(highestOverrideTier(standing));
