import { z } from 'zod';
import { CHARGES } from '../../errors/app-error';

/**
 * The suite error body (src/http/error-response.ts) as a schema: what /openapi.json publishes for every
 * error answer, and what the OpenAPI test checks real error answers against.
 */
export const ErrorBodySchema = z
  .object({
    error: z.looseObject({
      /** A code of config/error-catalog.json. */
      code: z.string(),
      message: z.string(),
      type: z.string(),
      status: z.number().int(),
      retryable: z.boolean(),
      charged: z.enum(CHARGES).nullable(),
      provider: z.string().nullable(),
      upstream: z
        .object({
          status: z.number().int().optional(),
          code: z.string().optional(),
          message: z.string().optional(),
          requestId: z.string().optional(),
        })
        .nullable(),
      param: z.string().nullable(),
      requestId: z.string(),
      /** A verification nobody could answer: its id, the attempts made, and for each provider why it was skipped or what it answered. */
      verification: z.string().optional(),
      attempts: z.array(z.record(z.string(), z.unknown())).optional(),
      reasons: z.array(z.record(z.string(), z.unknown())).optional(),
    }),
  })
  .strict();
