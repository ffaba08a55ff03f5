import type { AppDeps, Caller } from '../deps';
import { AppError } from '../errors/app-error';
import type { Queryable } from '../store/db';
import { findOrg } from '../tenancy/orgs-repo';

const DAY_MS = 86_400_000;

/** Where the org stands against its daily cap today, in the caller's key mode. */
export interface SpendCapStatus {
  /** The UTC day counted, YYYY-MM-DD. */
  day: string;
  /** The cap in IDR, or null when the org has none. */
  dailyCap: number | null;
  /** Charged plus unknown calls of the day, at the unit price each was booked at, in IDR. */
  spent: number;
  /** `live` or `test`: sandbox calls count against the cap apart from live ones. */
  mode: Caller['keyMode'];
  /** When the day ends and the count starts again. */
  resetsAt: string;
}

/**
 * The day's spend from the ledger: every row written ahead of a call counts at its booked unit price
 * (the contract rate of config/pricing.json, else the list price) while its charge is `charged` or
 * `unknown` (a call that may have been billed counts until finance resolves it free). Days are UTC.
 * Sandbox calls are counted apart from live ones, so a sandbox integrator meets the cap exactly as it
 * would live without touching the live budget.
 */
export async function spendCapStatus(db: Queryable, caller: Caller, now: Date, dailyCap: number | null): Promise<SpendCapStatus> {
  const dayStart = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
  const { rows } = await db.query<{ spent: string }>(
    `SELECT coalesce(sum(unit_price), 0)::text AS spent FROM ledger_entries
      WHERE org_id = $1 AND created_at >= $2 AND sandbox = $3 AND charged IN ('charged', 'unknown')`,
    [caller.orgId, dayStart, caller.keyMode === 'test'],
  );
  return {
    day: dayStart.toISOString().slice(0, 10),
    dailyCap,
    spent: Number(rows[0]?.spent ?? 0),
    mode: caller.keyMode,
    resetsAt: new Date(dayStart.getTime() + DAY_MS).toISOString(),
  };
}

/**
 * Refuses a request to a paid route once the org's day has reached its cap: 429 `spend_cap_reached` with
 * Retry-After until the UTC day ends, before anything is written or called. A request that starts under
 * the cap may end above it by what its own calls cost (and what concurrent requests started beside it);
 * the per-key rate limits bound how many those are.
 */
export async function assertUnderSpendCap(deps: AppDeps, caller: Caller): Promise<void> {
  const org = await findOrg(deps.db, caller.orgId);
  if (org?.dailySpendCap === null || org?.dailySpendCap === undefined) return;
  const now = deps.now();
  const status = await spendCapStatus(deps.db, caller, now, org.dailySpendCap);
  if (status.spent < org.dailySpendCap) return;
  const retryAfter = Math.max(1, Math.ceil((Date.parse(status.resetsAt) - now.getTime()) / 1000));
  throw new AppError('spend_cap_reached', {
    params: { cap: org.dailySpendCap, spent: status.spent },
    headers: { 'Retry-After': String(retryAfter) },
    details: { spendCap: status },
  });
}
