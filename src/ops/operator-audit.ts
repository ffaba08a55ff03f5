import { newId } from '../ids';
import type { Queryable } from '../store/db';

/** What operators do; each is one audit row (and, through OpsEvents, one ops event). */
export const OPERATOR_ACTIONS = [
  'provider.drain',
  'provider.restore',
  'provider.end_cooldown',
  'provider.reset_breaker',
  'org.create',
  'org.set_capabilities',
  'org.set_spend_cap',
  'org.issue_key',
  'org.revoke_key',
  'ledger.resolve',
] as const;
export type OperatorAction = (typeof OPERATOR_ACTIONS)[number];

/** One audited operator action: who (operator key), when, what, on what, why. */
export interface OperatorAudit {
  id: string;
  operatorKeyId: string;
  action: OperatorAction;
  /** What it acted on: `provider:accuauth`, `org:org_...`. */
  target: string;
  reason: string;
  /** What the action found and did (key modes, whether there was a drain or cooldown to end, ...). */
  detail: Record<string, unknown>;
  at: Date;
}

interface AuditRow {
  id: string;
  operator_key_id: string;
  action: OperatorAction;
  target: string;
  reason: string;
  detail: Record<string, unknown>;
  at: Date;
}

const toAudit = (r: AuditRow): OperatorAudit => ({
  id: r.id,
  operatorKeyId: r.operator_key_id,
  action: r.action,
  target: r.target,
  reason: r.reason,
  detail: r.detail,
  at: r.at,
});

export async function insertOperatorAudit(db: Queryable, audit: Omit<OperatorAudit, 'id'>): Promise<OperatorAudit> {
  const { rows } = await db.query<AuditRow>(
    `INSERT INTO operator_audit (id, operator_key_id, action, target, reason, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
    [newId('opa'), audit.operatorKeyId, audit.action, audit.target, audit.reason, JSON.stringify(audit.detail), audit.at],
  );
  return toAudit(rows[0] as AuditRow);
}

/** Newest first, at most `limit`, optionally for one target. */
export async function listOperatorAudit(db: Queryable, options: { limit: number; target?: string }): Promise<OperatorAudit[]> {
  const { rows } = await db.query<AuditRow>(
    `SELECT * FROM operator_audit WHERE ($1::text IS NULL OR target = $1) ORDER BY seq DESC LIMIT $2`,
    [options.target ?? null, options.limit],
  );
  return rows.map(toAudit);
}
