import { z } from 'zod';
import { AppError } from '../../errors/app-error';
import { findLedgerEntry, listLedgerEntries, usage, type LedgerRow, type UsageRow } from '../../ledger/ledger-repo';
import { resolveUnknownCharge } from '../../ledger/resolve-entry';
import type { AppDeps, Caller } from '../../deps';
import { spendCapStatus } from '../../ledger/spend-cap';
import { findOrg } from '../../tenancy/orgs-repo';
import { RateLimiter } from '../rate-limiter';
import { toCsv } from '../csv';
import { route, type RouteSpec } from '../route';

const DAY_MS = 86_400_000;
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');

export const UsagePeriodQuery = z
  .object({
    /** First UTC day included (default: 30 days ago). */
    from: isoDay.optional(),
    /** Last UTC day included (default: today). */
    to: isoDay.optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict();

const COLUMNS = [
  'day',
  'provider',
  'check',
  'sandbox',
  'calls',
  'charged',
  'free',
  'unknown',
  'cost',
  'unknownExposure',
  'currency',
] as const satisfies readonly (keyof UsageRow)[];

export const EntriesQuery = z
  .object({
    charged: z.enum(['charged', 'free', 'unknown']).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    /** Id of the last entry of the previous page (`nextCursor`). */
    startingAfter: z
      .string()
      .regex(/^att_\w+$/, 'must be a ledger entry id (att_...)')
      .optional(),
  })
  .strict();

export const ResolveBody = z
  .object({
    charged: z.enum(['charged', 'free']),
    /** Why: the invoice line or ticket that settles it. */
    note: z.string().trim().min(10, 'must be at least 10 characters').max(1000),
  })
  .strict();

/** A ledger row as its org sees it; `withOrg` (operators) also names the org. */
export const presentEntry = ({ orgId, ...e }: LedgerRow, withOrg = false) => ({
  object: 'ledger_entry',
  ...(withOrg ? { orgId } : {}),
  ...e,
  createdAt: e.createdAt.toISOString(),
  resolution: e.resolution && { ...e.resolution, resolvedAt: e.resolution.resolvedAt.toISOString() },
});

/**
 * The limits the caller meets on paid routes: the org's daily spend cap against today's spend (UTC, the
 * caller's key mode), and each rate limit with what this key used of its current window.
 */
async function limitsOf(deps: AppDeps, caller: Caller) {
  const org = await findOrg(deps.db, caller.orgId);
  const limiter = new RateLimiter(deps.redis);
  const rateLimits = await Promise.all(
    Object.entries(deps.config.rateLimits).map(async ([operation, rule]) => ({
      operation,
      limit: rule.limit,
      windowSeconds: rule.windowSeconds,
      used: await limiter.used(caller.keyId, operation, rule).catch(() => null),
    })),
  );
  return { spendCap: await spendCapStatus(deps.db, caller, deps.now(), org?.dailySpendCap ?? null), rateLimits, currency: 'IDR' };
}

/** [from, to) of a usage query: whole UTC days, by default the last 31 up to today. */
export function usagePeriod(q: { from?: string; to?: string }, now: Date): { from: Date; to: Date } {
  const today = now.toISOString().slice(0, 10);
  const to = new Date(Date.parse(`${q.to ?? today}T00:00:00Z`) + DAY_MS);
  const from = q.from ? new Date(`${q.from}T00:00:00Z`) : new Date(to.getTime() - 31 * DAY_MS);
  return { from, to };
}

/** One page of ledger entries (`orgId` null: every org's), or a 400 for a cursor outside it. */
export async function entriesPage(deps: AppDeps, orgId: string | null, q: z.infer<typeof EntriesQuery>) {
  if (q.startingAfter && !(await findLedgerEntry(deps.db, orgId, q.startingAfter))) {
    throw new AppError('invalid_request', { params: { detail: 'startingAfter: no such ledger entry' }, param: 'startingAfter' });
  }
  const page = await listLedgerEntries(deps.db, orgId, { charged: q.charged, after: q.startingAfter, limit: q.limit + 1 });
  const data = page.slice(0, q.limit).map((e) => presentEntry(e, orgId === null));
  const hasMore = page.length > q.limit;
  return { object: 'list', data, hasMore, nextCursor: hasMore ? (data.at(-1)?.id ?? null) : null };
}

export function usageRoutes(deps: AppDeps): RouteSpec[] {
  return [
    /** The org's upstream calls by day, provider and check: charged, free and unknown counts and cost. */
    route({
      method: 'get',
      path: '/v1/usage',
      scope: 'usage:view',
      query: UsagePeriodQuery,
      handler: async ({ caller, query }) => {
        const q = query;
        const { from, to } = usagePeriod(q, deps.now());
        const rows = await usage(deps.db, caller.orgId, from, to);
        if (q.format === 'json')
          return {
            status: 200,
            body: { object: 'list', from: from.toISOString(), to: to.toISOString(), data: rows, limits: await limitsOf(deps, caller) },
          };
        return {
          status: 200,
          headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="usage.csv"' },
          body: toCsv(COLUMNS, rows),
        };
      },
    }),
    /** The org's ledger rows one by one (e.g. `?charged=unknown`, what finance still has to settle), in cursor pages. */
    route({
      method: 'get',
      path: '/v1/usage/entries',
      scope: 'usage:view',
      query: EntriesQuery,
      handler: async ({ caller, query }) => ({ status: 200, body: await entriesPage(deps, caller.orgId, query) }),
    }),
    /** Settles an `unknown` row as charged or free, with who, when and why kept beside it. */
    route({
      method: 'post',
      path: '/v1/usage/entries/:id/resolve',
      scope: 'usage:manage',
      body: ResolveBody,
      handler: async ({ caller, params, body, transaction }) => {
        const b = body;
        const id = params.id as string;
        return transaction(async (tx) => {
          const resolution = { charged: b.charged, note: b.note, by: { keyId: caller.keyId }, at: deps.now() };
          const entry = await resolveUnknownCharge(tx, caller.orgId, id, resolution);
          deps.logger.info(
            { audit: 'ledger_entry_resolved', orgId: caller.orgId, keyId: caller.keyId, entry: id, charged: b.charged },
            'ledger entry resolved',
          );
          return { status: 200, body: presentEntry(entry) };
        });
      },
    }),
  ];
}
