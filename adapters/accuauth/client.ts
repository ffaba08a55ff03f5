import { AppError } from '../../src/errors/app-error';
import { exchange, type RawExchange } from '../http';
import type { CallContext } from '../types';

/** Vendor paths per operation, under `https://cloudapi.indonesia.accuauth.com`. */
export const ACCUAUTH_PATHS = {
  id_selfie: '/verify/id_selfie',
  id_name: '/verify/id_name',
  id_name_check: '/verify/id_name_check',
} as const;
export type AccuauthOperation = keyof typeof ACCUAUTH_PATHS;

/**
 * POSTs one JSON body to an AccuAuth endpoint with the `X-DF-API-ID` / `X-DF-API-SECRET` headers.
 * Transport only: every HTTP status comes back as a raw answer for transform.ts to read.
 */
export async function postAccuauth(ctx: CallContext, operation: AccuauthOperation, body: object): Promise<RawExchange> {
  const { apiId, apiSecret } = ctx.credentials;
  // Sending without keys would only earn a 401 that flags the account as rejected; it is our configuration.
  if (!apiId || !apiSecret) throw new AppError('provider_not_configured', { params: { provider: 'accuauth' }, provider: 'accuauth', charged: 'free' });
  return exchange(ctx, {
    method: 'POST',
    url: ACCUAUTH_PATHS[operation],
    data: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-DF-API-ID': apiId, 'X-DF-API-SECRET': apiSecret },
  });
}
