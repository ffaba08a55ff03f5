import { z } from 'zod';
import type { AppDeps } from '../../deps';
import { reconcileInvoice, type Reconciliation } from '../../finance/reconcile-invoice';
import { providerIdSchema } from '../../gateway/registry';
import { route, type Reply, type RouteSpec } from '../route';

/** Largest invoice file accepted over HTTP, in characters of CSV. */
const MAX_CSV_CHARS = 8 * 1024 * 1024;
const isoDay = z.iso.date({ error: 'must be YYYY-MM-DD' });

const reply = (r: Reconciliation): Reply => ({ status: 201, body: { object: 'invoice_reconciliation', ...r } });

/** Finance: vendor invoices reconciled against the org's own ledger rows (the platform-wide run is the CLI's). */
export function financeRoutes(deps: AppDeps): RouteSpec[] {
  const Body = z
    .object({
      provider: providerIdSchema(deps.gateway.registry),
      /** The vendor's file name, kept with the import and in each resolution's note. */
      fileName: z.string().trim().min(1).max(200),
      /** The invoice as CSV text: a header naming date, reference and amount columns (currency optional). */
      csv: z.string().min(1).max(MAX_CSV_CHARS),
      from: isoDay.optional(),
      to: isoDay.optional(),
    })
    .strict();
  return [
    route({
      method: 'post',
      path: '/v1/usage/reconciliations',
      scope: 'usage:manage',
      body: Body,
      bodyLimitBytes: MAX_CSV_CHARS + 64 * 1024,
      handler: async ({ caller, body, commit }) => {
        const input = { ...body, sandbox: caller.keyMode === 'test', orgId: caller.orgId, importedBy: caller.keyId };
        return reply(await reconcileInvoice(input, deps.now(), commit(reply)));
      },
    }),
  ];
}
