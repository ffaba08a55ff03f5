import type { ErrorMap } from '../gateway/error-map';
import { runChain } from '../gateway/failover';
import { interruptedAttempt } from '../gateway/invoke';
import { settleLedgerEntry } from '../ledger/ledger-repo';
import type { Logger } from '../logger';
import type { Db } from '../store/db';
import type { Jobs } from '../jobs/jobs';
import { announceEvents } from '../webhooks/announce';
import { recordEvent } from '../webhooks/events-repo';
import { verificationEvent } from './verification-events';
import { completionOf } from './run-verification';
import { attemptsOf, completeVerification, listAbandoned, pendingAttemptsOf, settleAttempt, takeAbandoned } from './verifications-repo';

export interface SettleDeps {
  db: Db;
  errorMap: ErrorMap;
  logger: Logger;
  now: () => Date;
  /** Where the events of the settled verifications are announced. */
  jobs: Jobs;
  /** How long a taken verification is ours while this settles it, in seconds (verifications.leaseSeconds). */
  leaseSeconds: number;
}

/** How many abandoned verifications one sweep settles at most; the next sweep takes the rest. */
const BATCH = 200;

/**
 * Ends verifications whose run died (their lease ran out): the calls they left in flight are settled as
 * interrupted (charge unknown, for reconciliation; no vendor is called again), and the verification ends
 * as its recorded calls say, as the run itself would have ended had nobody been left to try. Nothing is
 * left `processing` for ever, with or without an Idempotency-Key. A retry with the key later finds the
 * ended verification and answers it instead of calling again.
 */
export async function settleAbandoned(deps: SettleDeps): Promise<{ settled: number }> {
  let settled = 0;
  for (const id of await listAbandoned(deps.db, deps.now(), BATCH)) {
    const now = deps.now();
    const ended = await deps.db.transaction(async (tx) => {
      if (!(await takeAbandoned(tx, id, now, new Date(now.getTime() + deps.leaseSeconds * 1000)))) return null;
      for (const pending of await pendingAttemptsOf(tx, id)) {
        const a = interruptedAttempt(deps.errorMap, pending);
        await settleAttempt(tx, a);
        await settleLedgerEntry(tx, a.id, { suiteCode: a.suiteCode, charged: a.charged, upstreamRequestId: null });
      }
      // Only what was recorded decides: no candidate is left to try, so the chain replays its attempts.
      const chain = await runChain(
        [],
        () => Promise.reject(new Error('nothing is called')),
        { allowFailoverAfterUnknown: false },
        await attemptsOf(tx, [id]),
      );
      const completion = completionOf(chain, now);
      const v = await completeVerification(tx, id, completion);
      return recordEvent(tx, verificationEvent('verification.completed', v, completion));
    });
    if (ended) {
      await announceEvents(deps, [ended]);
      settled += 1;
      deps.logger.warn({ verificationId: id }, 'abandoned verification settled');
    }
  }
  return { settled };
}
