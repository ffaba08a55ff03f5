import type { z } from 'zod';
import type { AdapterOutcome, CallContext, Check, FetchedUrl, Operation, OperationMeta } from './types';

/** What an adapter writes for one operation in its declaration. */
export interface OperationSpec<I> {
  /** Vendor path or a short description of it. */
  endpoint: string;
  /** The suite check this operation answers, or null for helper steps (status fetch, delete, ...). */
  serves: Check | null;
  /**
   * The input this operation reads (the check's input for a serving operation): what routing tries the
   * verification's input against, and what `call` receives once it fits.
   */
  input: z.ZodType<I>;
  /** Translates, calls the vendor and reads its answer; throws only for input the vendor would refuse (free). */
  call(ctx: CallContext, input: I, meta: OperationMeta): Promise<AdapterOutcome>;
  /** Tried only while no provider before it in the chain answered (default false). See Operation.fallbackOnly. */
  fallbackOnly?: boolean;
  /** Its identity answer is confirmed by no population registry (default false). */
  registryless?: boolean;
  /** List price of one charged call, in whole rupiah (default 0). */
  listPrice?: number;
  /**
   * The URLs in the input the vendor downloads itself (default none). The gateway refuses any that is not
   * https or names a non-public address (src/gateway/fetched-urls.ts) before a call is written or made.
   */
  fetchedUrls?(input: I): FetchedUrl[];
}

/**
 * One operation of a declaration. The input's type is checked here, where the schema and the call meet,
 * so the registry holds operations of every input type without a cast: `prepare` parses, then the
 * parsed value goes to `call`.
 */
export function operation<I>(spec: OperationSpec<I>): Operation {
  return {
    endpoint: spec.endpoint,
    serves: spec.serves,
    fallbackOnly: spec.fallbackOnly ?? false,
    registryless: spec.registryless ?? false,
    listPrice: spec.listPrice ?? 0,
    prepare(input) {
      const parsed = spec.input.safeParse(input);
      if (!parsed.success) return { ok: false, issues: parsed.error.issues };
      return { ok: true, call: (ctx, meta) => spec.call(ctx, parsed.data, meta), fetchedUrls: spec.fetchedUrls?.(parsed.data) ?? [] };
    },
  };
}

/**
 * An operation the vendor performs towards us (its webhooks): declared so the mapping table may hold its rows
 * and the ledger may price it, but never called and never a routing candidate.
 */
export function inbound(spec: { endpoint: string; listPrice?: number }): Operation {
  return {
    endpoint: spec.endpoint,
    serves: null,
    fallbackOnly: false,
    registryless: false,
    listPrice: spec.listPrice ?? 0,
    prepare: () => ({
      ok: false,
      issues: [{ code: 'custom', path: [], message: 'an inbound operation is never called', input: undefined }],
    }),
  };
}
