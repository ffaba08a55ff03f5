import type { NewEvent } from '../webhooks/events-repo';
import type { Completion, Verification } from './verifications-repo';

type Identity = Pick<Verification, 'id' | 'orgId' | 'customerId' | 'check' | 'mode' | 'sandbox'>;

/**
 * The event of a verification that ended (`verification.completed`) or moved on without ending
 * (`verification.updated`: a hosted session's review pending): ids, status and codes only, never its result
 * data (which may hold what a vendor extracted from a document).
 */
export function verificationEvent(
  type: 'verification.completed' | 'verification.updated',
  v: Identity,
  c: Pick<Completion, 'status' | 'provider' | 'resultCode' | 'errorCode'>,
): NewEvent {
  return {
    orgId: v.orgId,
    type,
    sandbox: v.sandbox,
    data: {
      verificationId: v.id,
      customerId: v.customerId,
      check: v.check,
      mode: v.mode,
      status: c.status,
      provider: c.provider,
      resultCode: c.resultCode,
      errorCode: c.errorCode,
    },
  };
}
