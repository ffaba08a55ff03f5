import type { Check } from '../../adapters/types';
import type { AppDeps } from '../deps';
import type { Attempt, PendingAttempt } from '../gateway/attempt';
import { tryCandidate } from '../gateway/invoke';
import type { Candidate } from '../gateway/routing';
import { insertLedgerEntry, settleLedgerEntry } from '../ledger/ledger-repo';
import type { Queryable } from '../store/db';
import { deletePendingAttempt, insertPendingAttempt, settleAttempt } from './verifications-repo';

/** The verification a call outside its run is booked under (an overdue session's status, a reconciliation lookup). */
export interface CallOwner {
  orgId: string;
  keyId: string;
  customerId: string;
  verificationId: string;
  check: string;
  sandbox: boolean;
}

class Taken extends Error {}

/** What a booked call came to: its answer, or why nothing was called. */
export type BookedCall = { attempt: Attempt } | { skipped: string } | { taken: true };

/**
 * One vendor call made outside a verification's run, written ahead and booked like any call: its attempt and
 * ledger row (`unknown`) commit before it is made, with `take` (false: another worker has it, nothing is called),
 * and its answer settles both. Through tryCandidate, so drains, cooldowns, breakers and metrics apply.
 */
export async function bookedCall(
  deps: AppDeps,
  owner: CallOwner,
  candidate: Candidate,
  input: unknown,
  take: (tx: Queryable) => Promise<boolean> = async () => true,
): Promise<BookedCall> {
  let answered: Attempt | null = null;
  const ledgerRow = (p: PendingAttempt) => ({
    attemptId: p.id,
    orgId: owner.orgId,
    keyId: owner.keyId,
    customerId: owner.customerId,
    verificationId: owner.verificationId,
    check: owner.check,
    provider: p.provider,
    operation: p.operation,
    upstreamRequestId: null,
    suiteCode: null,
    charged: 'unknown' as const,
    unitPrice: deps.gateway.pricing.unitPrice(p.provider, p.operation),
    currency: deps.gateway.pricing.currency,
    sandbox: owner.sandbox,
  });
  try {
    const outcome = await tryCandidate(
      { ...deps.gateway, errorMap: deps.errorMap, providers: deps.providers, logger: deps.logger },
      candidate,
      {
        check: owner.check as Check,
        keyMode: owner.sandbox ? 'test' : 'live',
        input,
        meta: { customerId: owner.customerId, verificationId: owner.verificationId, now: deps.now() },
        writeAhead: (pending) =>
          deps.db.transaction(async (tx) => {
            if (!(await take(tx))) throw new Taken();
            await insertPendingAttempt(tx, owner.orgId, pending);
            await insertLedgerEntry(tx, ledgerRow(pending));
          }),
        settle: (attempt) => {
          answered = attempt;
        },
        withdraw: (pending) => deps.db.transaction((tx) => deletePendingAttempt(tx, pending.id)),
      },
    );
    if (!outcome.tried) return { skipped: outcome.skip.reason };
  } catch (err) {
    if (err instanceof Taken) return { taken: true };
    throw err;
  }
  const a = answered as Attempt | null;
  if (!a) return { taken: true };
  await deps.db.transaction(async (tx) => {
    await settleAttempt(tx, a);
    await settleLedgerEntry(tx, a.id, { suiteCode: a.suiteCode, charged: a.charged, upstreamRequestId: a.upstream.requestId });
  });
  return { attempt: a };
}
