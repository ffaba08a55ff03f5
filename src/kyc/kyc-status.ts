import type { Queryable } from '../store/db';
import { computeEligibility, type Eligibility } from './kyc-eligibility';
import type { KycViewOptions, Tier } from './kyc-tiers';
import { latestOverride, type KycOverride } from './overrides-repo';

export { TIERS, tierRank, isTier, type Tier, type KycViewOptions } from './kyc-tiers';
export { computeEligibility, type Eligibility, type Evidence } from './kyc-eligibility';

export interface KycStatus {
  /** The tier the customer holds: the latest override's, else the eligible one. */
  tier: Tier;
  eligibility: Eligibility;
  override: KycOverride | null;
}

/**
 * The customer's KYC picture. An override wins over the evidence until the next override, in both
 * directions: a restriction below eligibility must not be lifted silently by a new passed check.
 */
export async function kycStatus(db: Queryable, orgId: string, customerId: string, options: KycViewOptions = {}): Promise<KycStatus> {
  const eligibility = await computeEligibility(db, orgId, customerId, options);
  const override = await latestOverride(db, orgId, customerId, options);
  return { tier: override ? override.toTier : eligibility.tier, eligibility, override };
}

/**
 * The tier the customer holds now, what features should be gated on. Pass the caller's key mode:
 * without it the live reading applies, where sandbox (simulator) verifications and test-key overrides
 * do not count.
 */
export async function effectiveTier(db: Queryable, orgId: string, customerId: string, options: KycViewOptions = {}): Promise<Tier> {
  return (await kycStatus(db, orgId, customerId, options)).tier;
}
