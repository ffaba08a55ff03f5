import { exchange, type RawExchange } from '../http';
import type { CallContext } from '../types';

/**
 * TEMPLATE. Transport only: the vendor's paths, its auth headers, one exchange per call. Every HTTP status
 * comes back as a raw answer for transform.ts to read; failures below HTTP are facts (adapters/http.ts).
 */
export const EXAMPLE_PATHS = { check: '/v1/name-checks' } as const;

export function postExample(ctx: CallContext, path: string, body: unknown): Promise<RawExchange> {
  return exchange(ctx, {
    method: 'POST',
    url: path,
    data: JSON.stringify(body),
    // The gateway only calls with every credential the declaration names (sandbox values behind test keys).
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-Api-Key': ctx.credentials.apiKey ?? '' },
  });
}
