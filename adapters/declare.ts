import type { z } from 'zod';
import type { AdapterOutcome, CallContext, ChargeLookup, Check, FetchedUrl, Operation, OperationMeta, StepData } from './types';

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
  /** How an unknown charge of a call of this operation is settled later by asking the vendor (default: it cannot be). */
  settledBy?: ChargeLookup;
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
    settledBy: spec.settledBy,
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

/** One step of a flow as an adapter writes it. */
export interface FlowStepSpec<I> {
  /** The declared operation the step calls. */
  operation: string;
  /** Its input, from the flow's input and what the steps before it answered. */
  input(input: I, done: StepData): unknown;
  /** Whether the flow makes this step at all for this input (default always): an optional video, say. */
  when?(input: I): boolean;
  /** A `pending` verdict of this step means the vendor waits on the person: ask again later (default false). */
  waits?: boolean;
}

/** What an adapter writes for a multi-step flow that answers a check (see Flow, adapters/types.ts). */
export interface FlowSpec<I> {
  endpoint: string;
  serves: Check;
  /** The check's input for this vendor: what routing tries the verification's input against. */
  input: z.ZodType<I>;
  /** The steps in order; each names an operation of the same declaration. */
  steps: ReadonlyArray<FlowStepSpec<I>>;
  /** Steps that only read the vendor's state (default none): repeated when a dead worker left one in flight. */
  repeatable?: readonly string[];
  /** The verification's result from the steps' data once the flow is complete. */
  result(done: StepData): unknown;
  /** Runs only as an asynchronous verification (default true: a flow waits on several calls). */
  asyncOnly?: boolean;
  fetchedUrls?(input: I): FetchedUrl[];
}

/**
 * A vendor's multi-step flow, declared as the operation that serves its check: routing reads the check's input
 * with the flow's schema as for any operation, and the gateway walks the steps (src/gateway/flow.ts), each a
 * call of one of the declaration's operations with its own row in the mapping table. The flow is never called
 * itself.
 */
export function flow<I>(spec: FlowSpec<I>): Operation {
  const read = (input: unknown) => spec.input.parse(input);
  return {
    endpoint: spec.endpoint,
    serves: spec.serves,
    fallbackOnly: false,
    registryless: false,
    listPrice: 0,
    prepare(input) {
      const parsed = spec.input.safeParse(input);
      if (!parsed.success) return { ok: false, issues: parsed.error.issues };
      return {
        ok: true,
        call: () => Promise.reject(new Error(`the flow serving ${spec.serves} is walked step by step, never called`)),
        fetchedUrls: spec.fetchedUrls?.(parsed.data) ?? [],
      };
    },
    flow: {
      asyncOnly: spec.asyncOnly ?? true,
      repeatable: spec.repeatable ?? [],
      result: spec.result,
      complete: (done) => done.has(spec.steps.at(-1)?.operation ?? ''),
      waits: spec.steps.filter((s) => s.waits).map((s) => s.operation),
      next(input, done) {
        const parsed = read(input);
        const step = spec.steps.find((s) => !done.has(s.operation) && (s.when?.(parsed) ?? true));
        return step ? { operation: step.operation, input: step.input(parsed, done) } : null;
      },
    },
  };
}
