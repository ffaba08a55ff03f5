import { AppError } from '../../src/errors/app-error';
import { exchange, type RawExchange } from '../http';
import type { CallContext } from '../types';

/** iDenfy's endpoints (all POST, JSON, Basic auth): ID-OAS, ID-DR. */
export const IDENFY_PATHS = {
  token: '/api/v2/token',
  status: '/api/v2/status',
  data: '/api/v2/data',
  identifications: '/kyc/identifications/',
} as const;

/** HTTP Basic with username = API key and password = API secret (ID-OAS `apiKeyPair`). */
export function basicAuthorization(credentials: Record<string, string>): string {
  const { apiKey, apiSecret } = credentials;
  // Without both halves iDenfy can only answer 401; the gateway should have skipped this provider.
  if (!apiKey || !apiSecret)
    throw new AppError('provider_not_configured', { params: { provider: 'idenfy' }, provider: 'idenfy', charged: 'free' });
  return `Basic ${Buffer.from(`${apiKey}:${apiSecret}`, 'utf8').toString('base64')}`;
}

/** One POST of a JSON body to an iDenfy path; the answer comes back raw for transform.ts to read. */
export function postJson(ctx: CallContext, path: string, body: unknown): Promise<RawExchange> {
  return exchange(ctx, {
    method: 'POST',
    url: path,
    data: JSON.stringify(body),
    headers: {
      Authorization: basicAuthorization(ctx.credentials),
      'Content-Type': 'application/json; charset=utf-8',
      Accept: 'application/json',
    },
  });
}

/** One GET of an iDenfy path with a query; the answer comes back raw for transform.ts to read. */
export function getJson(ctx: CallContext, path: string, params: Record<string, string>): Promise<RawExchange> {
  return exchange(ctx, {
    method: 'GET',
    url: path,
    params,
    headers: { Authorization: basicAuthorization(ctx.credentials), Accept: 'application/json' },
  });
}
