import { z } from 'zod';

/**
 * TEMPLATE (adapters/_template/README.md). The vendor's wire format as zod schemas: what we send and what it
 * answers, success and error, with a comment naming where the vendor documents each field. Everything the
 * vendor sends is parsed with these before use; a body that does not fit is `schema_invalid`, never trusted.
 */

/** The body of POST /v1/name-checks. */
export const ExampleCheckRequest = z.object({ nik: z.string(), full_name: z.string() }).strict();
export type ExampleCheckRequest = z.infer<typeof ExampleCheckRequest>;

/** A 200 answer: the verdict and the vendor's reference, which the ledger keeps as the upstream request id. */
export const ExampleCheckResponse = z.looseObject({
  verdict: z.enum(['MATCH', 'NO_MATCH', 'NOT_FOUND']),
  reference: z.string().min(1).max(64),
});
export type ExampleCheckResponse = z.infer<typeof ExampleCheckResponse>;

/** Any other status: the vendor's error envelope. */
export const ExampleErrorBody = z.looseObject({ error: z.looseObject({ code: z.string(), message: z.string().optional() }) });
