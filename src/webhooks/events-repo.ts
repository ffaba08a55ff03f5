import { newId } from '../ids';
import type { Queryable } from '../store/db';
import { checkEventData, EventType, PLATFORM_EVENT_TYPES } from './event-types';

export interface RecordedEvent {
  id: string;
  orgId: string | null;
  type: EventType;
  data: Record<string, unknown>;
  sandbox: boolean;
  /** The one endpoint a test event is for. */
  endpointId: string | null;
  createdAt: Date;
  dispatchedAt: Date | null;
}

export interface NewEvent {
  /** The org the event is about; null for a platform event (provider.state_changed). */
  orgId: string | null;
  type: EventType;
  /** Ids, statuses and codes only (checked: see checkEventData). */
  data: Record<string, unknown>;
  /** True for events of test-mode (sandbox) work: they go to sandbox endpoints only. */
  sandbox: boolean;
}

/**
 * Records an event in the caller's transaction (outbox): it commits with the effect it reports or not at
 * all. After the commit, `announceEvents` queues its fan-out; the worker's sweep fans out any event that
 * was never announced (Redis down, the process died), so none is lost. Returns the `evt_` id.
 */
export function recordEvent(tx: Queryable, event: NewEvent): Promise<string> {
  return insertEvent(tx, event);
}

/** recordEvent, or a test event for one endpoint only (`endpointId`). */
export async function insertEvent(tx: Queryable, event: NewEvent & { endpointId?: string }): Promise<string> {
  const type = EventType.parse(event.type);
  if (event.orgId === null && !PLATFORM_EVENT_TYPES.includes(type)) throw new Error(`${type} events belong to an org`);
  if (event.orgId !== null && PLATFORM_EVENT_TYPES.includes(type)) throw new Error(`${type} is a platform event: orgId must be null`);
  const id = newId('evt');
  await tx.query('INSERT INTO events (id, org_id, type, sandbox, data, endpoint_id) VALUES ($1, $2, $3, $4, $5, $6)', [
    id,
    event.orgId,
    type,
    event.sandbox,
    JSON.stringify(checkEventData(event.data)),
    event.endpointId ?? null,
  ]);
  return id;
}

interface EventRow {
  id: string;
  org_id: string | null;
  type: EventType;
  data: Record<string, unknown>;
  sandbox: boolean;
  endpoint_id: string | null;
  created_at: Date;
  dispatched_at: Date | null;
}

const toEvent = (r: EventRow): RecordedEvent => ({
  id: r.id,
  orgId: r.org_id,
  type: r.type,
  data: r.data,
  sandbox: r.sandbox,
  endpointId: r.endpoint_id,
  createdAt: r.created_at,
  dispatchedAt: r.dispatched_at,
});

// What an org sees: its own events, and the platform events that were sent to one of its endpoints.
const VISIBLE = `(e.org_id = $1 OR (e.org_id IS NULL AND EXISTS (
  SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.org_id = $1)))`;

export async function findEvent(db: Queryable, orgId: string, sandbox: boolean, id: string): Promise<RecordedEvent | null> {
  const { rows } = await db.query<EventRow>(`SELECT e.* FROM events e WHERE e.id = $2 AND e.sandbox = $3 AND ${VISIBLE}`, [
    orgId,
    id,
    sandbox,
  ]);
  return rows[0] ? toEvent(rows[0]) : null;
}

export interface EventFilter {
  type?: EventType;
  /** Id of the last event of the previous page. */
  after?: string;
  limit: number;
}

/** One page of the org's events, newest first (as Stripe lists them). */
export async function listEvents(db: Queryable, orgId: string, sandbox: boolean, f: EventFilter): Promise<RecordedEvent[]> {
  const { rows } = await db.query<EventRow>(
    `SELECT e.* FROM events e WHERE e.sandbox = $2 AND ${VISIBLE}
       AND ($3::text IS NULL OR e.type = $3)
       AND ($4::text IS NULL OR e.seq < (SELECT seq FROM events WHERE id = $4))
     ORDER BY e.seq DESC LIMIT $5`,
    [orgId, sandbox, f.type ?? null, f.after ?? null, f.limit],
  );
  return rows.map(toEvent);
}

/** Events never fanned out, older than `before` (the sweep's work). */
export async function undispatchedEvents(db: Queryable, before: Date, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM events WHERE dispatched_at IS NULL AND created_at < $1 ORDER BY created_at LIMIT $2',
    [before, limit],
  );
  return rows.map((r) => r.id);
}
