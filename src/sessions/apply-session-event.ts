import type { ProviderId, UpstreamFacts } from '../../adapters/types';
import type { AppDeps } from '../deps';
import { errorCatalog } from '../errors/catalog';
import { resolveCharge } from '../gateway/error-map';
import { settleLedgerEntry } from '../ledger/ledger-repo';
import type { Queryable } from '../store/db';
import { announceEvents } from '../webhooks/announce';
import { recordEvent } from '../webhooks/events-repo';
import { verificationEvent } from '../verifications/verification-events';
import {
  endSession,
  findInbound,
  lockSession,
  markInboundProcessed,
  noteSessionProgress,
  type OpenSession,
  type StoredEvent,
} from './sessions-repo';

/** What an event did to its session's verification. */
export type SessionEventOutcome =
  /** The session ended: final status, verdict and the session's charge written. */
  | 'ended'
  /** The session goes on (a manual review follows): the verdict so far noted, the verification still `pending`. */
  | 'progressed'
  /** The verification had already ended (a late or reordered webhook): nothing changes. */
  | 'superseded'
  /** No verification opened this session: logged and acknowledged. */
  | 'unknown_session'
  /** Signed with sandbox keys for a live session, or the other way round: nothing changes. */
  | 'key_mode_mismatch'
  /** Applied before (the job ran again): nothing changes. */
  | 'already_applied';

export interface SessionEventResult {
  outcome: SessionEventOutcome;
  /** The verification changed, when it did. */
  verificationId?: string;
  orgId?: string;
  sandbox?: boolean;
  status?: string;
}

/**
 * Applies one kept webhook to the verification whose session it reports, in one transaction with the row
 * marked applied: the mapping table's `webhook` rows decide the status and suite code, and the org's pricing
 * plan with the vendor the charge of the session (the ledger row of the call that opened it, `unknown` until
 * now). A verification that already ended is not changed by a later event. Runs in a worker, never in a request.
 */
export async function applySessionEvent(deps: AppDeps, inboundId: string): Promise<SessionEventResult> {
  const inbound = await findInbound(deps.db, inboundId);
  if (!inbound || inbound.processedAt) return { outcome: 'already_applied' };
  return applyEvent(deps, inbound.provider as ProviderId, inbound.sessionRef, inbound.event, (tx, outcome) =>
    markInboundProcessed(tx, inbound.id, outcome, deps.now()),
  );
}

/**
 * One event about a session, from its webhook or from the status fetch of an overdue follow-up, applied to
 * its verification; `record` commits with it (the webhook's row marked applied).
 */
export async function applyEvent(
  deps: AppDeps,
  provider: ProviderId,
  sessionRef: string,
  event: StoredEvent,
  record: (tx: Queryable, outcome: SessionEventOutcome) => Promise<void> = async () => undefined,
): Promise<SessionEventResult> {
  const result = await deps.db.transaction(async (tx) => {
    const session = await lockSession(tx, provider, sessionRef);
    const outcome = !session
      ? ('unknown_session' as const)
      : (event.signedWith === 'sandbox') !== session.sandbox
        ? ('key_mode_mismatch' as const)
        : session.status !== 'pending'
          ? ('superseded' as const)
          : await applyTo(deps, tx, provider, sessionRef, session, event.facts as UpstreamFacts, event.summary);
    await record(tx, outcome);
    const eventId =
      session && (outcome === 'ended' || outcome === 'progressed') ? await recordEvent(tx, sessionEvent(outcome, session)) : null;
    return { outcome, session, eventId };
  });
  if (result.eventId) await announceEvents(deps, [result.eventId]);
  deps.gateway.metrics.sessionEvents.inc({ provider, outcome: result.outcome });
  if (result.outcome === 'unknown_session' || result.outcome === 'key_mode_mismatch') {
    // The vendor's session reference only: no names or document data are kept to be logged.
    deps.logger.warn({ provider, sessionRef, outcome: result.outcome }, 'session event changes nothing');
  }
  const s = result.session;
  return s
    ? { outcome: result.outcome, verificationId: s.verificationId, orgId: s.orgId, sandbox: s.sandbox, status: s.status }
    : { outcome: result.outcome };
}

/** `verification.completed` when the session ended, `verification.updated` when it goes on (a review pending). */
function sessionEvent(outcome: 'ended' | 'progressed', s: OpenSession) {
  const type = outcome === 'ended' ? 'verification.completed' : 'verification.updated';
  return verificationEvent(
    type,
    { id: s.verificationId, orgId: s.orgId, customerId: s.customerId, check: s.check, mode: s.mode, sandbox: s.sandbox },
    { status: s.status, provider: s.provider, resultCode: s.resultCode, errorCode: s.errorCode },
  );
}

async function applyTo(
  deps: AppDeps,
  tx: Queryable,
  provider: ProviderId,
  sessionRef: string,
  session: OpenSession,
  facts: UpstreamFacts,
  summary: Record<string, unknown>,
): Promise<'ended' | 'progressed'> {
  const { row } = deps.errorMap.classify(provider, 'webhook', facts);
  const status = row.kind === 'result' ? (errorCatalog().result(row.suiteCode)?.verificationStatus ?? 'requires_review') : 'error';
  if (status === 'pending') {
    await noteSessionProgress(tx, session.verificationId, row.suiteCode, summary);
    session.status = 'pending';
    session.resultCode = row.suiteCode;
    return 'progressed';
  }
  const charged = resolveCharge(row, deps.gateway.pricing.planOf(provider, session.orgId));
  await endSession(tx, {
    verificationId: session.verificationId,
    attemptId: session.attemptId,
    status,
    resultCode: row.kind === 'result' ? row.suiteCode : null,
    errorCode: row.kind === 'error' ? row.suiteCode : null,
    summary,
    charged,
    at: deps.now(),
  });
  await settleLedgerEntry(tx, session.attemptId, { suiteCode: row.suiteCode, charged, upstreamRequestId: sessionRef });
  session.status = status;
  session.resultCode = row.kind === 'result' ? row.suiteCode : session.resultCode;
  session.errorCode = row.kind === 'error' ? row.suiteCode : null;
  return 'ended';
}
