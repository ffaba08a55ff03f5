import { enqueueDeliveries, enqueueFanOut } from './announce';
import { insertDeliveries, pendingOf, stalePending } from './deliveries-repo';
import type { WebhookWorkerDeps } from './deliver';
import { endpointsFor } from './endpoints-repo';
import { undispatchedEvents } from './events-repo';

/**
 * Writes one delivery per endpoint that wants the event (once: the event is marked dispatched in the same
 * transaction), then queues every delivery of it still pending. Run again (a re-run after a crash, a second
 * announce), it writes nothing and re-queues what is pending, which the job ids make a no-op.
 */
export async function fanOut(deps: WebhookWorkerDeps, eventId: string): Promise<{ deliveries: number }> {
  const pending = await deps.db.transaction(async (tx) => {
    // Marks the event dispatched and locks it in one statement: a second run waits, then finds it dispatched.
    const { rows } = await tx.query<{ org_id: string | null; type: string; sandbox: boolean; endpoint_id: string | null }>(
      'UPDATE events SET dispatched_at = $2 WHERE id = $1 AND dispatched_at IS NULL RETURNING org_id, type, sandbox, endpoint_id',
      [eventId, deps.now()],
    );
    const e = rows[0];
    if (e) {
      const endpoints = await endpointsFor(tx, { orgId: e.org_id, type: e.type, sandbox: e.sandbox, endpointId: e.endpoint_id });
      return insertDeliveries(tx, eventId, endpoints);
    }
    const exists = await tx.query('SELECT 1 FROM events WHERE id = $1', [eventId]);
    return exists.rowCount > 0 ? pendingOf(tx, eventId) : null;
  });
  // Announced but not visible: thrown, so the job is retried rather than completed (its id would block a re-add).
  if (!pending) throw new Error(`event ${eventId} not found`);
  await enqueueDeliveries(deps, pending);
  return { deliveries: pending.length };
}

/** How long a pending delivery may go without the sweep making sure its job exists, in ms. */
const LOST_JOB_AFTER_MS = 5 * 60_000;
/** Announcements of events younger than this are still on their way, in ms. */
const ANNOUNCE_GRACE_MS = 2_000;
const SWEEP_BATCH = 1000;

/**
 * Nothing is lost: events committed but never announced (Redis was down, the process died after the
 * commit) get their fan-out queued, and pending deliveries get their job queued again in case Redis lost
 * it (a job that exists is left alone: the job ids make adding it again a no-op).
 */
export async function sweepWebhooks(deps: WebhookWorkerDeps): Promise<{ events: number; deliveries: number }> {
  const now = deps.now().getTime();
  const events = await undispatchedEvents(deps.db, new Date(now - ANNOUNCE_GRACE_MS), SWEEP_BATCH);
  await enqueueFanOut(deps, events);
  const deliveries = await stalePending(deps.db, new Date(now - LOST_JOB_AFTER_MS), SWEEP_BATCH);
  await enqueueDeliveries(deps, deliveries);
  return { events: events.length, deliveries: deliveries.length };
}
