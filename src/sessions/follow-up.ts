import type { ProviderId } from '../../adapters/types';
import type { AppDeps } from '../deps';
import type { Attempt } from '../gateway/attempt';
import { QUEUES } from '../jobs/queues';
import { bookedCall } from '../verifications/booked-call';
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
  const call = await bookedCall(
    deps,
    s,
    { provider: s.provider as ProviderId, operation: STATUS_OPERATION },
    { scanRef: s.sessionRef },
    (tx) => takeFollowUp(tx, s.verificationId, deps.now()),
  );
  if ('skipped' in call)
    deps.logger.info({ verificationId: s.verificationId, reason: call.skipped }, 'overdue session not asked about now');
  return 'attempt' in call ? call.attempt : null;
}
