import type { ProviderId } from '../../adapters/types';
import { DEFAULT_REGISTRY, type Registry } from '../gateway/registry';
import type { Queryable } from '../store/db';
import {
  includesSandbox,
  REQUIREMENTS,
  TIER_REQUIREMENTS,
  TIERS,
  tierRank,
  type KycViewOptions,
  type Requirement,
  type Tier,
} from './kyc-tiers';

/**
 * Did a population registry confirm this provider's identity_selfie? Not where its operation is declared
 * `registryless` (the engine compares faces, it confirms no NIK), nor for a provider no longer declared.
 */
function registryBacked(registry: Registry, provider: ProviderId): boolean {
  const operation = registry.operationFor(provider, 'identity_selfie');
  return operation !== undefined && registry.operation(provider, operation)?.registryless === false;
}

export interface RequirementEvidence {
  satisfied: boolean;
  /** The `ver_` and `cap_` ids that satisfy it, oldest first. */
  ids: string[];
}

export type Evidence = Record<Requirement, RequirementEvidence>;

export interface Eligibility {
  /** The highest tier whose requirements are all met. */
  tier: Tier;
  evidence: Evidence;
  /** The tier above `tier` and the requirements it still lacks; null at premium. */
  nextTier: { tier: Tier; missing: Requirement[] } | null;
}

interface VerificationRow {
  id: string;
  check_name: string;
  provider: string | null;
}

/**
 * Derives the customer's eligible tier from their passed verifications and capture verdicts, in this org
 * only. Nothing here is stored: a new passed check raises eligibility on the next read.
 */
export async function computeEligibility(
  db: Queryable,
  orgId: string,
  customerId: string,
  options: KycViewOptions = {},
): Promise<Eligibility> {
  const verifications = await db.query<VerificationRow>(
    `SELECT id, check_name, provider FROM verifications
      WHERE org_id = $1 AND customer_id = $2 AND status = 'passed'
        AND check_name IN ('name_check', 'identity_selfie', 'liveness', 'document')
        AND ($3 OR NOT sandbox)
      ORDER BY seq`,
    [orgId, customerId, includesSandbox(options)],
  );
  // Verdicts, not bundles: they outlive the retention sweep (0007_kyc_tiers.sql).
  const captures = await db.query<{ capture_id: string; kind: string }>(
    `SELECT capture_id, kind FROM kyc_capture_verdicts
      WHERE org_id = $1 AND customer_id = $2 AND status = 'passed'
      ORDER BY created_at, capture_id`,
    [orgId, customerId],
  );

  const ids: Record<Requirement, string[]> = { nikConfirmed: [], liveness: [], document: [], registrySelfie: [] };
  for (const v of verifications.rows) {
    if (v.check_name === 'name_check') ids.nikConfirmed.push(v.id);
    if (v.check_name === 'identity_selfie' && v.provider !== null && registryBacked(options.registry ?? DEFAULT_REGISTRY, v.provider)) {
      ids.nikConfirmed.push(v.id);
      ids.registrySelfie.push(v.id);
    }
    if (v.check_name === 'liveness') ids.liveness.push(v.id);
    if (v.check_name === 'document') ids.document.push(v.id);
  }
  for (const c of captures.rows) {
    if (c.kind === 'selfie') ids.liveness.push(c.capture_id);
    if (c.kind === 'ktp') ids.document.push(c.capture_id);
  }
  const evidence = Object.fromEntries(REQUIREMENTS.map((r) => [r, { satisfied: ids[r].length > 0, ids: ids[r] }])) as Evidence;
  return { ...tierFor(evidence), evidence };
}

/** The highest tier the evidence fully meets, and what the next one lacks. */
export function tierFor(evidence: Evidence): Pick<Eligibility, 'tier' | 'nextTier'> {
  const meets = (t: Tier) => TIER_REQUIREMENTS[t].every((r) => evidence[r].satisfied);
  // Tiers are cumulative, so stop at the first one not met rather than taking the highest met.
  let tier: Tier = 'none';
  for (const t of TIERS) {
    if (!meets(t)) break;
    tier = t;
  }
  const next = TIERS[tierRank(tier) + 1];
  return { tier, nextTier: next ? { tier: next, missing: TIER_REQUIREMENTS[next].filter((r) => !evidence[r].satisfied) } : null };
}
