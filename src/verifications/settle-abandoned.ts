import type { ErrorMap } from '../gateway/error-map';
import { interruptedAttempt } from '../gateway/invoke';
import { settleLedgerEntry } from '../ledger/ledger-repo';
import type { Logger } from '../logger';
import type { Db } from '../store/db';
import type { Jobs } from '../jobs/jobs';
import { announceEvents } from '../webhooks/announce';
import { recordEvent } from '../webhooks/events-repo';
import { verificationEvent } from './verification-events';
import { completionOf, replayRecorded } from './run-verification';
import type { Check } from '../../adapters/types';
import type { Registry } from '../gateway/registry';
import { QUEUES } from '../jobs/queues';
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
  /** Which recorded calls make a flow (a vendor's multi-step check) rather than a failover chain. */
  registry: Registry;
}

/** How many abandoned verifications one sweep settles at most; the next sweep takes the rest. */
const BATCH = 200;

/**
 * Ends verifications whose run died (their lease ran out), but for accepted asynchronous ones a worker can
 * still run (handed over again: the run goes on from their calls). The calls they left in flight are settled as
 * interrupted (charge unknown, for reconciliation; no vendor is called again), and the verification ends
 * as its recorded calls say, as the run itself would have ended had nobody been left to try. Nothing is
 * left `processing` for ever, with or without an Idempotency-Key. A retry with the key later finds the
 * ended verification and answers it instead of calling again.
 */
export async function settleAbandoned(deps: SettleDeps): Promise<{ settled: number; resumed: number }> {
  let settled = 0;
  let resumed = 0;
  for (const id of await listAbandoned(deps.db, deps.now(), BATCH)) {
    // An accepted verification a worker can still run (its input kept) goes on from its calls: its job runs again.
    if (await resumable(deps.db, id)) {
      await deps.jobs.addAgain(QUEUES.verifications, 'run-verification', { verificationId: id }, id);
      resumed += 1;
      continue;
    }
    const now = deps.now();
    const ended = await deps.db.transaction(async (tx) => {
      if (!(await takeAbandoned(tx, id, now, new Date(now.getTime() + deps.leaseSeconds * 1000)))) return null;
      for (const pending of await pendingAttemptsOf(tx, id)) {
        const a = interruptedAttempt(deps.errorMap, pending);
        await settleAttempt(tx, a);
        await settleLedgerEntry(tx, a.id, { suiteCode: a.suiteCode, charged: a.charged, upstreamRequestId: null });
      }
      // Only what was recorded decides: nothing is left to call, so the chain (or flow) replays its attempts.
      const { rows } = await tx.query<{ check_name: Check }>('SELECT check_name FROM verifications WHERE id = $1', [id]);
      const chain = await replayRecorded(deps.registry, rows[0]!.check_name, await attemptsOf(tx, [id]));
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
  return { settled, resumed };
}

/**
 * Runs died this many times mid-call on one verification before the sweep ends it instead of handing it over
 * again: a verification that kills its worker each time must not do so for ever.
 */
const MAX_INTERRUPTED_CALLS = 3;

/** An accepted (async) verification whose input is still kept and whose runs have not died too often. */
async function resumable(db: SettleDeps['db'], id: string): Promise<boolean> {
  const { rows } = await db.query<{ resumable: boolean }>(
    `SELECT v.mode = 'async'
        AND EXISTS (SELECT 1 FROM verification_inputs i WHERE i.verification_id = v.id)
        AND (SELECT count(*) FROM verification_attempts a
              WHERE a.verification_id = v.id AND (a.state = 'in_flight' OR a.upstream_transport = 'interrupted')) <= $2 AS resumable
       FROM verifications v WHERE v.id = $1`,
    [id, MAX_INTERRUPTED_CALLS - 1],
  );
  return rows[0]?.resumable === true;
}
