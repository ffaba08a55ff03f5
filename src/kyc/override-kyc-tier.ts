import type { AppDeps, Caller } from '../deps';
import { AppError } from '../errors/app-error';
import type { Commit } from '../store/db';
import { kycStatus } from './kyc-status';
import type { Tier } from './kyc-tiers';
import { overrideAllowed, overrideReasonLongEnough } from './override-rule';
import { insertOverride, lockCustomer, type KycOverride } from './overrides-repo';
import { announceEvents } from '../webhooks/announce';
import { recordEvent } from '../webhooks/events-repo';

/** What an analyst asks for. */
export interface OverrideRequest {
  tier: Tier;
  /** Why; trimmed before it is checked and stored. */
  reason: string;
  /** The analyst's name, for the audit; the API key is recorded either way. */
  analyst?: string;
}

/**
 * An analyst sets a customer's KYC tier (DESIGN 9, seed 000), checked in this order: the customer exists in
 * the caller's org (404, `param: id`), the reason is long enough (400 `reason_too_short`), the tier is within
 * reach of the override rule (409 `tier_upgrade_too_far`). The customer row is locked for the transaction,
 * so two overrides of one customer run one after the other and each records the tier the previous one set
 * as its `fromTier`. Nothing is written when a check fails.
 */
export async function overrideKycTier(
  deps: Pick<AppDeps, 'db' | 'gateway' | 'now' | 'jobs' | 'logger'>,
  caller: Caller,
  customerId: string,
  request: OverrideRequest,
  commit: Commit<KycOverride> = (work) => deps.db.transaction(work),
): Promise<KycOverride> {
  const reason = request.reason.trim();
  const recorded: string[] = [];
  const done = await commit(async (tx) => {
    if (!(await lockCustomer(tx, caller.orgId, customerId))) {
      throw new AppError('resource_not_found', { params: { resource: 'customer' }, param: 'id' });
    }
    if (!overrideReasonLongEnough(reason)) throw new AppError('reason_too_short', { param: 'reason' });
    const status = await kycStatus(tx, caller.orgId, customerId, { keyMode: caller.keyMode, registry: deps.gateway.registry });
    const eligible = status.eligibility.tier;
    if (!overrideAllowed({ held: status.tier, eligible }, request.tier)) {
      throw new AppError('tier_upgrade_too_far', { param: 'tier', details: { eligibleTier: eligible, requestedTier: request.tier } });
    }
    const override = await insertOverride(tx, {
      orgId: caller.orgId,
      customerId,
      fromTier: status.tier,
      toTier: request.tier,
      eligibleTier: eligible,
      reason,
      keyId: caller.keyId,
      analyst: request.analyst ?? null,
      sandbox: caller.keyMode === 'test',
      createdAt: deps.now(),
    });
    if (override.fromTier !== override.toTier) {
      recorded.push(
        await recordEvent(tx, {
          orgId: caller.orgId,
          type: 'kyc.tier_changed',
          sandbox: caller.keyMode === 'test',
          data: { customerId, fromTier: override.fromTier, toTier: override.toTier, overrideId: override.id, source: 'override' },
        }),
      );
    }
    return override;
  });
  await announceEvents(deps, recorded.splice(0));
  return done;
}
