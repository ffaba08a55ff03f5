import { z } from 'zod';
import { usage, type UsageRow } from '../../ledger/ledger-repo';
import type { AppDeps } from '../context';
import { route, type RouteSpec } from '../route';

const DAY_MS = 86_400_000;
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');

const Query = z
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

export function usageRoutes(deps: AppDeps): RouteSpec[] {
  return [
    /** The org's upstream calls by day, provider and check: charged, free and unknown counts and cost. */
    route({
      method: 'get',
      path: '/v1/usage',
      scope: 'usage:view',
      query: Query,
      handler: async ({ caller, query }) => {
        const q = query as z.infer<typeof Query>;
        const today = deps.now().toISOString().slice(0, 10);
        const to = new Date(Date.parse(`${q.to ?? today}T00:00:00Z`) + DAY_MS);
        const from = q.from ? new Date(`${q.from}T00:00:00Z`) : new Date(to.getTime() - 31 * DAY_MS);
        const rows = await usage(deps.db, caller.orgId, from, to);
        if (q.format === 'json')
          return { status: 200, body: { object: 'list', from: from.toISOString(), to: to.toISOString(), data: rows } };
        // Every cell is a fixed token (ids, dates, numbers), so no quoting is needed.
        const lines = [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => String(r[c])).join(','))];
        return {
          status: 200,
          headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="usage.csv"' },
          body: `${lines.join('\n')}\n`,
        };
      },
    }),
  ];
}
