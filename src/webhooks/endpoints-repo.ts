import type { Queryable } from '../store/db';

export interface WebhookEndpoint {
  id: string;
  orgId: string;
  sandbox: boolean;
  url: string;
  description: string | null;
  /** Event types, or `*` for every event of the org (platform events only by name). */
  enabledEvents: string[];
  status: 'enabled' | 'disabled';
  disabledReason: string | null;
  failingSince: Date | null;
  /** Until when the previous secret still signs (a rotation's overlap); null when there is none. */
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
}

interface EndpointRow {
  id: string;
  org_id: string;
  sandbox: boolean;
  url: string;
  description: string | null;
  enabled_events: string[];
  status: 'enabled' | 'disabled';
  disabled_reason: string | null;
  failing_since: Date | null;
  previous_secret_expires_at: Date | null;
  created_at: Date;
  secret_sealed: Uint8Array;
  previous_secret_sealed: Uint8Array | null;
  deleted_at: Date | null;
}

const toEndpoint = (r: EndpointRow): WebhookEndpoint => ({
  id: r.id,
  orgId: r.org_id,
  sandbox: r.sandbox,
  url: r.url,
  description: r.description,
  enabledEvents: r.enabled_events,
  status: r.status,
  disabledReason: r.disabled_reason,
  failingSince: r.failing_since,
  previousSecretExpiresAt: r.previous_secret_expires_at,
  createdAt: r.created_at,
});

export interface NewEndpoint {
  id: string;
  orgId: string;
  sandbox: boolean;
  url: string;
  description: string | null;
  enabledEvents: string[];
  secretSealed: Buffer;
}

export async function insertEndpoint(tx: Queryable, e: NewEndpoint): Promise<WebhookEndpoint> {
  const { rows } = await tx.query<EndpointRow>(
    `INSERT INTO webhook_endpoints (id, org_id, sandbox, url, description, enabled_events, secret_sealed)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
    [e.id, e.orgId, e.sandbox, e.url, e.description, e.enabledEvents, e.secretSealed],
  );
  return toEndpoint(rows[0]!);
}

/** The org's endpoint of that mode, unless deleted. */
export async function findEndpoint(db: Queryable, orgId: string, sandbox: boolean, id: string): Promise<WebhookEndpoint | null> {
  const { rows } = await db.query<EndpointRow>(
    'SELECT * FROM webhook_endpoints WHERE id = $1 AND org_id = $2 AND sandbox = $3 AND deleted_at IS NULL',
    [id, orgId, sandbox],
  );
  return rows[0] ? toEndpoint(rows[0]) : null;
}

export async function listEndpoints(db: Queryable, orgId: string, sandbox: boolean): Promise<WebhookEndpoint[]> {
  const { rows } = await db.query<EndpointRow>(
    'SELECT * FROM webhook_endpoints WHERE org_id = $1 AND sandbox = $2 AND deleted_at IS NULL ORDER BY seq',
    [orgId, sandbox],
  );
  return rows.map(toEndpoint);
}

/** Soft delete: its deliveries and their log stay, no new ones are made. */
export async function deleteEndpoint(
  db: Queryable,
  orgId: string,
  sandbox: boolean,
  id: string,
  at: Date,
): Promise<WebhookEndpoint | null> {
  const { rows } = await db.query<EndpointRow>(
    `UPDATE webhook_endpoints SET deleted_at = $4
     WHERE id = $1 AND org_id = $2 AND sandbox = $3 AND deleted_at IS NULL RETURNING *`,
    [id, orgId, sandbox, at],
  );
  return rows[0] ? toEndpoint(rows[0]) : null;
}

/** The new secret signs from now on; the current one keeps signing beside it until `previousUntil`. */
export async function rotateSecret(
  tx: Queryable,
  orgId: string,
  sandbox: boolean,
  id: string,
  secretSealed: Buffer,
  previousUntil: Date,
): Promise<WebhookEndpoint | null> {
  const { rows } = await tx.query<EndpointRow>(
    `UPDATE webhook_endpoints
        SET previous_secret_sealed = secret_sealed, previous_secret_expires_at = $5, secret_sealed = $4
      WHERE id = $1 AND org_id = $2 AND sandbox = $3 AND deleted_at IS NULL RETURNING *`,
    [id, orgId, sandbox, secretSealed, previousUntil],
  );
  return rows[0] ? toEndpoint(rows[0]) : null;
}

/** Enables an endpoint again: failures start counting afresh. */
export async function enableEndpoint(db: Queryable, orgId: string, sandbox: boolean, id: string): Promise<WebhookEndpoint | null> {
  const { rows } = await db.query<EndpointRow>(
    `UPDATE webhook_endpoints SET status = 'enabled', disabled_reason = NULL, failing_since = NULL
      WHERE id = $1 AND org_id = $2 AND sandbox = $3 AND deleted_at IS NULL RETURNING *`,
    [id, orgId, sandbox],
  );
  return rows[0] ? toEndpoint(rows[0]) : null;
}

/** A failure: since when the endpoint has been failing (now, if it was not). */
export async function markFailing(tx: Queryable, id: string, at: Date): Promise<Date> {
  const { rows } = await tx.query<{ failing_since: Date }>(
    'UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2) WHERE id = $1 RETURNING failing_since',
    [id, at],
  );
  return rows[0]?.failing_since ?? at;
}

/** Disables an enabled endpoint; false when it was not enabled (already disabled, or by another worker). */
export async function disableEndpoint(tx: Queryable, id: string, reason: string): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = $2 WHERE id = $1 AND status = 'enabled'`,
    [id, reason],
  );
  return rowCount > 0;
}

/**
 * The endpoints an event goes to: a test event to its one endpoint (enabled or not, so a fix can be checked
 * before enabling it again); an org's event to the org's enabled endpoints of its mode that name its type or
 * `*`; a platform event to enabled endpoints of its mode, of any org, that name its type.
 */
export async function endpointsFor(
  tx: Queryable,
  event: { orgId: string | null; type: string; sandbox: boolean; endpointId: string | null },
): Promise<Array<{ id: string; orgId: string }>> {
  const { rows } = await tx.query<{ id: string; org_id: string }>(
    `SELECT id, org_id FROM webhook_endpoints
      WHERE deleted_at IS NULL AND sandbox = $1 AND (
        ($4::text IS NOT NULL AND id = $4)
        OR ($4::text IS NULL AND status = 'enabled' AND (
          ($2::text IS NOT NULL AND org_id = $2 AND ($3 = ANY(enabled_events) OR '*' = ANY(enabled_events)))
          OR ($2::text IS NULL AND $3 = ANY(enabled_events)))))
      ORDER BY seq`,
    [event.sandbox, event.orgId, event.type, event.endpointId],
  );
  return rows.map((r) => ({ id: r.id, orgId: r.org_id }));
}
