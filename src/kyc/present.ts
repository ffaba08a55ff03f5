import type { KycStatus } from './kyc-status';
import type { KycOverride } from './overrides-repo';

export const presentOverride = (o: KycOverride) => ({
  id: o.id,
  object: 'kyc_override',
  customerId: o.customerId,
  fromTier: o.fromTier,
  toTier: o.toTier,
  eligibleTier: o.eligibleTier,
  reason: o.reason,
  keyId: o.keyId,
  analyst: o.analyst,
  sandbox: o.sandbox,
  createdAt: o.createdAt.toISOString(),
});

export const presentKycStatus = (customerId: string, s: KycStatus) => ({
  object: 'kyc_status',
  customerId,
  tier: s.tier,
  eligibleTier: s.eligibility.tier,
  override: s.override ? presentOverride(s.override) : null,
  evidence: s.eligibility.evidence,
  nextTier: s.eligibility.nextTier,
});
