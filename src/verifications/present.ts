import type { Attempt } from '../gateway/attempt';
import { errorCatalog } from '../errors/catalog';
import type { Verification } from './verifications-repo';

/** An attempt as integrators see it: what was called and what it cost, never the vendor's data. */
export const presentAttempt = (a: Attempt) => ({
  id: a.id,
  provider: a.provider,
  operation: a.operation,
  suiteCode: a.suiteCode,
  upstream: a.upstream,
  charged: a.charged,
  latencyMs: a.latencyMs,
});

export function presentVerification(v: Verification, attempts: readonly Attempt[]) {
  const result = v.resultCode
    ? { code: v.resultCode, message: errorCatalog().result(v.resultCode)?.message ?? null, data: v.result }
    : null;
  return {
    id: v.id,
    object: 'verification',
    customerId: v.customerId,
    check: v.check,
    mode: v.mode,
    livemode: !v.sandbox,
    status: v.status,
    provider: v.provider,
    requestedProvider: v.requestedProvider,
    result,
    error: v.errorCode ? { code: v.errorCode } : null,
    attempts: attempts.map(presentAttempt),
    skipped: v.skipped,
    createdAt: v.createdAt.toISOString(),
    completedAt: v.completedAt?.toISOString() ?? null,
  };
}
