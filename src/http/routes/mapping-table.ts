import { z } from 'zod';
import type { AppDeps } from '../../deps';
import { errorCatalog } from '../../errors/catalog';
import type { MappingRow } from '../../gateway/error-map';
import { providerIdSchema, type Registry } from '../../gateway/registry';
import { toCsv } from '../csv';
import { route, type RouteSpec } from '../route';

const query = (registry: Registry) =>
  z
    .object({
      provider: providerIdSchema(registry).optional(),
      format: z.enum(['json', 'csv']).default('json'),
    })
    .strict();

const COLUMNS = ['provider', 'operation', 'match', 'kind', 'suiteCode', 'verificationStatus', 'charged', 'final', 'failover', 'breaker', 'retryable', 'accountHealth', 'note', 'source'] as const;

/** One flat record per row: what finance and ops read. */
function present(row: MappingRow) {
  return {
    provider: row.provider,
    operation: row.operation,
    match: row.match,
    kind: row.kind,
    suiteCode: row.suiteCode,
    verificationStatus: row.kind === 'result' ? errorCatalog().result(row.suiteCode)?.verificationStatus ?? null : null,
    charged: row.charged,
    final: row.final,
    failover: row.failover,
    breaker: row.breaker,
    retryable: row.retryable,
    accountHealth: row.accountHealth ?? null,
    note: row.note,
    source: row.source,
  };
}

export function mappingTableRoutes(deps: AppDeps): RouteSpec[] {
  return [
    /**
     * The mapping table as people read it: every upstream answer, what the suite makes of it and who
     * pays. Public like /openapi.json: it holds the vendors' documented codes and our decisions, no data.
     */
    route({
      method: 'get',
      path: '/mapping-table',
      query: query(deps.gateway.registry),
      handler: async ({ query }) => {
        const q = query;
        const rows = deps.errorMap.rows(q.provider).map(present);
        if (q.format === 'json') return { status: 200, body: { object: 'list', data: rows } };
        return {
          status: 200,
          headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'inline; filename="mapping-table.csv"' },
          body: toCsv(COLUMNS, rows),
        };
      },
    }),
  ];
}
