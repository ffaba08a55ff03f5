import type { Check, ProviderId } from '../../adapters/types';
import type { AppDeps } from '../deps';
import type { Attempt, PendingAttempt } from '../gateway/attempt';
import { tryCandidate } from '../gateway/invoke';
import { insertLedgerEntry, settleLedgerEntry } from '../ledger/ledger-repo';
import { QUEUES } from '../jobs/queues';
import { deletePendingAttempt, insertPendingAttempt, settleAttempt } from '../verifications/verifications-repo';
import { applyEvent, type SessionEventResult } from './apply-session-event';
import { listOverdueSessions, listUnprocessedInbound, takeFollowUp, type OverdueSession } from './sessions-repo';

/** How many sessions or webhooks one sweep takes at most; the next sweep takes the rest. */
const BATCH = 100;
/** A webhook not applied this long after it arrived lost its job (Redis restarted, a worker died for good). */
const REQUEUE_AFTER_MS = 30_000;
/** A link without a stated expiry lives this long (iDenfy's default token expiry, in seconds). */
const DEFAULT_LINK_SECONDS = 3600;

/** The operation a vendor offers to ask about one session (iDenfy: POST /api/v2/status). */
const STATUS_OPERATION = 'status';

class FollowUpTaken extends Error {}

export interface FollowUpResult {
  /** Overdue sessions asked about (one status fetch each). */
  followedUp: number;
  /** Webhooks whose job was lost, enqueued again. */
  requeued: number;
  /** Events the status fetches turned into verdicts. */
  events: SessionEventResult[];
}

/**
 * The sweep of hosted sessions: webhooks received but never applied are enqueued again, and each session
 * whose final webhook is overdue (past its link's expiry, the time on the page and a margin) is asked about
 * once through the vendor's status operation, written ahead and booked like any call; its verdict is then
 * applied as the webhook would have been. iDenfy asks not to be polled: a session is fetched once, again only
 * when the fetch itself got no answer.
 */
export async function followUpSessions(deps: AppDeps): Promise<FollowUpResult> {
  const now = deps.now();
  let requeued = 0;
  for (const id of await listUnprocessedInbound(deps.db, new Date(now.getTime() - REQUEUE_AFTER_MS), BATCH)) {
    await deps.jobs.addAgain(QUEUES.sessions, 'apply-session-event', { inboundId: id }, id);
    requeued += 1;
  }
  const overdue = await listOverdueSessions(deps.db, now, {
    marginSeconds: deps.config.sessions.followUpMarginSeconds,
    defaultLifeSeconds: DEFAULT_LINK_SECONDS,
    limit: BATCH,
  });
  const events: SessionEventResult[] = [];
  let followedUp = 0;
  for (const session of overdue) {
    const attempt = await fetchStatusOnce(deps, session);
    if (!attempt) continue;
    followedUp += 1;
    // The fetch answered with the session's state: its verdict is read by the webhook rows, as the webhook's would be.
    if (attempt.kind === 'result' && attempt.upstream.code) {
      const summary = { ...((attempt.data as Record<string, unknown> | undefined) ?? {}), followedUp: true };
      events.push(
        await applyEvent(deps, session.provider as ProviderId, session.sessionRef, {
          facts: { result: attempt.upstream.code, requestId: session.sessionRef },
          summary,
          signedWith: session.sandbox ? 'sandbox' : 'live',
        }),
      );
    } else {
      // No answer (the vendor down, a timeout): the session may be asked again by a later sweep.
      await deps.db.query('UPDATE verifications SET followed_up_at = NULL WHERE id = $1', [session.verificationId]);
      deps.logger.warn(
        { verificationId: session.verificationId, code: attempt.suiteCode },
        'overdue session status not fetched; asking again later',
      );
    }
  }
  return { followedUp, requeued, events };
}

/** The one status fetch of an overdue session, taken by one worker only: written ahead with the take, settled after. */
async function fetchStatusOnce(deps: AppDeps, s: OverdueSession): Promise<Attempt | null> {
  const keyMode = s.sandbox ? 'test' : 'live';
  let answered: Attempt | null = null;
  const ledgerRow = (p: PendingAttempt) => ({
    attemptId: p.id,
    orgId: s.orgId,
    keyId: s.keyId,
    customerId: s.customerId,
    verificationId: s.verificationId,
    check: s.check,
    provider: p.provider,
    operation: p.operation,
    upstreamRequestId: null,
    suiteCode: null,
    charged: 'unknown' as const,
    unitPrice: deps.gateway.pricing.unitPrice(p.provider, p.operation),
    currency: deps.gateway.pricing.currency,
    sandbox: s.sandbox,
  });
  try {
    const outcome = await tryCandidate(
      { ...deps.gateway, errorMap: deps.errorMap, providers: deps.providers, logger: deps.logger },
      { provider: s.provider as ProviderId, operation: STATUS_OPERATION },
      {
        check: s.check as Check,
        keyMode,
        input: { scanRef: s.sessionRef },
        meta: { customerId: s.customerId, verificationId: s.verificationId, now: deps.now() },
        writeAhead: (pending) =>
          deps.db.transaction(async (tx) => {
            if (!(await takeFollowUp(tx, s.verificationId, deps.now()))) throw new FollowUpTaken();
            await insertPendingAttempt(tx, s.orgId, pending);
            await insertLedgerEntry(tx, ledgerRow(pending));
          }),
        settle: (attempt) => {
          answered = attempt;
        },
        withdraw: (pending) => deps.db.transaction((tx) => deletePendingAttempt(tx, pending.id)),
      },
    );
    if (!outcome.tried) {
      deps.logger.info({ verificationId: s.verificationId, reason: outcome.skip.reason }, 'overdue session not asked about now');
      return null;
    }
  } catch (err) {
    if (err instanceof FollowUpTaken) return null;
    throw err;
  }
  const a = answered as Attempt | null;
  if (!a) return null;
  await deps.db.transaction(async (tx) => {
    await settleAttempt(tx, a);
    await settleLedgerEntry(tx, a.id, { suiteCode: a.suiteCode, charged: a.charged, upstreamRequestId: a.upstream.requestId });
  });
  return a;
}
