import { AppError } from '../../src/errors/app-error';
import type { AdapterDeclaration, AdapterOutcome, CallContext } from '../types';
import { IDENFY_PATHS, postJson } from './client';
import {
  dataOutcome,
  statusOutcome,
  toTokenBody,
  tokenOutcome,
  type IdenfyExtractedData,
  type IdenfySession,
  type IdenfyTokenInput,
  type IdenfyVerificationStatus,
} from './transform';

/** iDenfy: hosted KYC sessions (token + redirect + signed webhook); results arrive by webhook, status is a fallback. */
export const idenfy: AdapterDeclaration = {
  id: 'idenfy',
  displayName: 'iDenfy',
  transport: 'http',
  credentials: ['apiKey', 'apiSecret'],
  operations: {
    token: { endpoint: `POST ${IDENFY_PATHS.token}`, serves: 'hosted_session' },
    // iDenfy asks not to be polled: status is for an overdue webhook or an expired session only.
    status: { endpoint: `POST ${IDENFY_PATHS.status}`, serves: null },
    data: { endpoint: `POST ${IDENFY_PATHS.data}`, serves: null },
  },
};

/** Creates a hosted session. Input iDenfy would reject is refused here, before a call is made (free). */
export async function createToken(
  ctx: CallContext,
  input: IdenfyTokenInput,
  now: Date = new Date(),
): Promise<AdapterOutcome<IdenfySession>> {
  const body = toTokenBody(input);
  if (!body.ok) {
    throw new AppError('invalid_request', { params: { detail: body.detail }, param: body.param, provider: 'idenfy', charged: 'free' });
  }
  return tokenOutcome(await postJson(ctx, IDENFY_PATHS.token, body.body), { baseUrl: ctx.baseUrl, now });
}

/** The verification's current status (fallback for a missing webhook). */
export async function fetchStatus(ctx: CallContext, scanRef: string): Promise<AdapterOutcome<IdenfyVerificationStatus>> {
  return statusOutcome(await postJson(ctx, IDENFY_PATHS.status, { scanRef }));
}

/** The data iDenfy extracted from the document. */
export async function fetchData(ctx: CallContext, scanRef: string): Promise<AdapterOutcome<IdenfyExtractedData>> {
  return dataOutcome(await postJson(ctx, IDENFY_PATHS.data, { scanRef }));
}

export type { IdenfyExtractedData, IdenfySession, IdenfyTokenInput, IdenfyVerificationStatus } from './transform';
export { parseWebhook, verifyWebhookSignature } from './webhook';
export { webhookFacts } from './transform';
