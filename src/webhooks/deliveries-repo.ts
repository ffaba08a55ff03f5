import { newId } from '../ids';
import type { Queryable } from '../store/db';
import type { EventType } from './event-types';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';

export interface DeliveryAttempt {
  series: number;
  attempt: number;
  at: Date;
  /** The endpoint's HTTP status; null when none came back (refused address, connection error, timeout). */
  httpStatus: number | null;
  latencyMs: number;
  error: string | null;
}

export interface Delivery {
  id: string;
  eventId: string;
  eventType: EventType;
  endpointId: string;
  orgId: string;
  status: DeliveryStatus;
  /** 1, then one more per manual redelivery. */
  series: number;
  createdAt: Date;
  deliveredAt: Date | null;
}

interface DeliveryRow {
  id: string;
  event_id: string;
  event_type: EventType;
  endpoint_id: string;
  org_id: string;
  status: DeliveryStatus;
  series: number;
  created_at: Date;
  delivered_at: Date | null;
}

const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  eventId: r.event_id,
  eventType: r.event_type,
  endpointId: r.endpoint_id,
  orgId: r.org_id,
  status: r.status,
  series: r.series,
  createdAt: r.created_at,
  deliveredAt: r.delivered_at,
});

const SELECT = 'SELECT d.*, e.type AS event_type FROM webhook_deliveries d JOIN events e ON e.id = d.event_id';

/** One delivery per endpoint; a delivery that already exists is kept as it is. Returns those it wrote. */
export async function insertDeliveries(
  tx: Queryable,
  eventId: string,
  endpoints: Array<{ id: string; orgId: string }>,
): Promise<Array<{ id: string; series: number }>> {
  if (endpoints.length === 0) return [];
  const { rows } = await tx.query<{ id: string; series: number }>(
    `INSERT INTO webhook_deliveries (id, event_id, endpoint_id, org_id)
     SELECT d.id, $1, d.endpoint_id, d.org_id FROM unnest($2::text[], $3::text[], $4::text[]) AS d(id, endpoint_id, org_id)
     ON CONFLICT (event_id, endpoint_id) DO NOTHING RETURNING id, series`,
    [eventId, endpoints.map(() => newId('dlv')), endpoints.map((e) => e.id), endpoints.map((e) => e.orgId)],
  );
  return rows;
}

/** The deliveries of an event still to be made: what the fan-out enqueues. */
export async function pendingOf(db: Queryable, eventId: string): Promise<Array<{ id: string; series: number }>> {
  const { rows } = await db.query<{ id: string; series: number }>(
    `SELECT id, series FROM webhook_deliveries WHERE event_id = $1 AND status = 'pending' ORDER BY seq`,
    [eventId],
  );
  return rows;
}

/** Pending deliveries created before `before`, oldest first: the sweep re-enqueues them (idempotent by job id). */
export async function stalePending(db: Queryable, before: Date, limit: number): Promise<Array<{ id: string; series: number }>> {
  const { rows } = await db.query<{ id: string; series: number }>(
    `SELECT id, series FROM webhook_deliveries WHERE status = 'pending' AND created_at < $1 ORDER BY created_at LIMIT $2`,
    [before, limit],
  );
  return rows;
}

export async function deliveryById(db: Queryable, id: string): Promise<Delivery | null> {
  const { rows } = await db.query<DeliveryRow>(`${SELECT} WHERE d.id = $1`, [id]);
  return rows[0] ? toDelivery(rows[0]) : null;
}

/** One page of an endpoint's deliveries, newest first. */
export async function listDeliveries(db: Queryable, endpointId: string, f: { after?: string; limit: number }): Promise<Delivery[]> {
  const { rows } = await db.query<DeliveryRow>(
    `${SELECT} WHERE d.endpoint_id = $1
       AND ($2::text IS NULL OR d.seq < (SELECT seq FROM webhook_deliveries WHERE id = $2 AND endpoint_id = $1))
     ORDER BY d.seq DESC LIMIT $3`,
    [endpointId, f.after ?? null, f.limit],
  );
  return rows.map(toDelivery);
}

export async function attemptsOf(db: Queryable, deliveryIds: string[]): Promise<Map<string, DeliveryAttempt[]>> {
  const { rows } = await db.query<{
    delivery_id: string;
    series: number;
    attempt: number;
    at: Date;
    http_status: number | null;
    latency_ms: number;
    error: string | null;
  }>('SELECT * FROM webhook_delivery_attempts WHERE delivery_id = ANY($1) ORDER BY delivery_id, series, attempt', [deliveryIds]);
  const out = new Map<string, DeliveryAttempt[]>();
  for (const r of rows) {
    const list = out.get(r.delivery_id) ?? [];
    list.push({ series: r.series, attempt: r.attempt, at: r.at, httpStatus: r.http_status, latencyMs: r.latency_ms, error: r.error });
    out.set(r.delivery_id, list);
  }
  return out;
}

/** Logs one try of the delivery's series; its number is the series' next. */
export async function logAttempt(
  tx: Queryable,
  deliveryId: string,
  series: number,
  a: { at: Date; httpStatus: number | null; latencyMs: number; error: string | null },
): Promise<number> {
  const { rows } = await tx.query<{ attempt: number }>(
    `INSERT INTO webhook_delivery_attempts (delivery_id, series, attempt, at, http_status, latency_ms, error)
     SELECT $1, $2, COALESCE(MAX(attempt), 0) + 1, $3, $4, $5, $6 FROM webhook_delivery_attempts WHERE delivery_id = $1 AND series = $2
     RETURNING attempt`,
    [deliveryId, series, a.at, a.httpStatus, a.latencyMs, a.error],
  );
  return rows[0]!.attempt;
}

type Outcome = { at: Date; httpStatus: number | null; latencyMs: number; error: string | null };

/**
 * A successful try in one statement (atomic without a transaction, one round trip on the hot path): the try
 * logged, the series ended as delivered (unless another run of the job recorded it first), the endpoint no
 * longer failing.
 */
export async function recordDelivered(db: Queryable, deliveryId: string, series: number, endpointId: string, a: Outcome): Promise<void> {
  await db.query(
    `WITH tried AS (
       INSERT INTO webhook_delivery_attempts (delivery_id, series, attempt, at, http_status, latency_ms, error)
       SELECT $1, $2, COALESCE(MAX(attempt), 0) + 1, $3, $4, $5, NULL FROM webhook_delivery_attempts WHERE delivery_id = $1 AND series = $2
       RETURNING attempt),
     delivered AS (
       UPDATE webhook_deliveries SET status = 'delivered', delivered_at = $3 WHERE id = $1 AND series = $2 AND status = 'pending' RETURNING id),
     recovered AS (
       UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $6 AND failing_since IS NOT NULL RETURNING id)
     SELECT (SELECT count(*) FROM tried) AS tried, (SELECT count(*) FROM delivered) AS delivered, (SELECT count(*) FROM recovered) AS recovered`,
    [deliveryId, series, a.at, a.httpStatus, a.latencyMs, endpointId],
  );
}

/** Ends the series; false when it had already ended (another run of the job recorded it first) or was superseded. */
export async function settleDelivery(
  tx: Queryable,
  id: string,
  series: number,
  status: 'delivered' | 'failed' | 'cancelled',
  at: Date,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE webhook_deliveries SET status = $3, delivered_at = CASE WHEN $3 = 'delivered' THEN $4::timestamptz END
      WHERE id = $1 AND series = $2 AND status = 'pending'`,
    [id, series, status, at],
  );
  return rowCount > 0;
}

/** Starts a new series of tries (manual redelivery); the previous series' job, if still queued, finds itself superseded. */
export async function restartDelivery(db: Queryable, id: string): Promise<{ id: string; series: number }> {
  const { rows } = await db.query<{ id: string; series: number }>(
    `UPDATE webhook_deliveries SET status = 'pending', series = series + 1, delivered_at = NULL WHERE id = $1 RETURNING id, series`,
    [id],
  );
  return rows[0]!;
}

/** Everything one try needs: the delivery, its event and its endpoint with the sealed secrets. */
export interface DeliveryToMake {
  status: DeliveryStatus;
  series: number;
  event: { id: string; type: EventType; data: Record<string, unknown>; sandbox: boolean; createdAt: Date };
  endpoint: {
    id: string;
    orgId: string;
    url: string;
    sandbox: boolean;
    usable: boolean;
    secretSealed: Buffer;
    previousSecretSealed: Buffer | null;
    previousSecretExpiresAt: Date | null;
  };
}

export async function deliveryToMake(db: Queryable, id: string): Promise<DeliveryToMake | null> {
  const { rows } = await db.query<{
    status: DeliveryStatus;
    series: number;
    event_id: string;
    type: EventType;
    data: Record<string, unknown>;
    sandbox: boolean;
    event_created_at: Date;
    endpoint_id: string;
    org_id: string;
    url: string;
    endpoint_sandbox: boolean;
    usable: boolean;
    secret_sealed: Uint8Array;
    previous_secret_sealed: Uint8Array | null;
    previous_secret_expires_at: Date | null;
  }>(
    `SELECT d.status, d.series, e.id AS event_id, e.type, e.data, e.sandbox, e.created_at AS event_created_at,
            w.id AS endpoint_id, w.org_id, w.url, w.sandbox AS endpoint_sandbox,
            (w.deleted_at IS NULL AND (w.status = 'enabled' OR e.endpoint_id = w.id)) AS usable,
            w.secret_sealed, w.previous_secret_sealed, w.previous_secret_expires_at
       FROM webhook_deliveries d JOIN events e ON e.id = d.event_id JOIN webhook_endpoints w ON w.id = d.endpoint_id
      WHERE d.id = $1`,
    [id],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    status: r.status,
    series: r.series,
    event: { id: r.event_id, type: r.type, data: r.data, sandbox: r.sandbox, createdAt: r.event_created_at },
    endpoint: {
      id: r.endpoint_id,
      orgId: r.org_id,
      url: r.url,
      sandbox: r.endpoint_sandbox,
      usable: r.usable,
      secretSealed: Buffer.from(r.secret_sealed),
      previousSecretSealed: r.previous_secret_sealed ? Buffer.from(r.previous_secret_sealed) : null,
      previousSecretExpiresAt: r.previous_secret_expires_at,
    },
  };
}
