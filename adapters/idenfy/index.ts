import { AppError } from '../../src/errors/app-error';
import { HostedSessionInput } from '../check-inputs';
import { inbound, operation } from '../declare';
import type { AdapterDeclaration, AdapterOutcome, CallContext } from '../types';
import { getJson, IDENFY_PATHS, postJson } from './client';
import { IdenfyIdentificationsInput, IdenfyScanRefInput } from './schemas';
import { readWebhook, verifyWebhookSignature } from './webhook';
import { IDENFY_SANDBOX_CREDENTIALS, startIdenfySimulator } from './simulator';
import {
  dataOutcome,
  identificationsOutcome,
  statusOutcome,
  toTokenBody,
  tokenOutcome,
  type IdenfyExtractedData,
  type IdenfySession,
  type IdenfyTokenInput,
  type IdenfyUnknownSessions,
  type IdenfyVerificationStatus,
} from './transform';

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

/** The verification's current status: for a final webhook that is overdue, never for polling. */
export async function fetchStatus(ctx: CallContext, scanRef: string): Promise<AdapterOutcome<IdenfyVerificationStatus>> {
  return statusOutcome(await postJson(ctx, IDENFY_PATHS.status, { scanRef }));
}

/** The client's sessions iDenfy holds that the gateway does not know of (reconciliation of a lost token call). */
export async function listUnknownSessions(
  ctx: CallContext,
  input: IdenfyIdentificationsInput,
): Promise<AdapterOutcome<IdenfyUnknownSessions>> {
  return identificationsOutcome(
    await getJson(ctx, IDENFY_PATHS.identifications, { clientId: input.clientId, page: '1', perPage: '100' }),
    input,
  );
}

/** The data iDenfy extracted from the document. */
export async function fetchData(ctx: CallContext, scanRef: string): Promise<AdapterOutcome<IdenfyExtractedData>> {
  return dataOutcome(await postJson(ctx, IDENFY_PATHS.data, { scanRef }));
}

/**
 * iDenfy: hosted KYC sessions (token + redirect + signed webhook). Results arrive by webhook; `status` and
 * `data` are helper operations for a session whose final webhook is overdue (iDenfy asks not to be polled).
 * A token opens a session that iDenfy bills if it ends in a billable state, by the partner's plan: its ledger row
 * stays `unknown` until the session's final webhook (the `webhook` rows of config/error-map/idenfy.json, resolved
 * with the org's plan in config/pricing.json) settles it.
 */
export const idenfy: AdapterDeclaration = {
  id: 'idenfy',
  displayName: 'iDenfy',
  transport: 'http',
  credentials: ['apiKey', 'apiSecret'],
  reach: {
    timeoutMs: 10000,
    live: { baseUrl: 'https://ivs.idenfy.com', credentialEnv: { apiKey: 'IDENFY_API_KEY', apiSecret: 'IDENFY_API_SECRET' } },
    sandbox: { port: 7102, credentials: IDENFY_SANDBOX_CREDENTIALS },
  },
  simulator: startIdenfySimulator,
  webhooks: {
    verify: (rawBody, headers, keys) => verifyWebhookSignature(rawBody, headers['idenfy-signature'], keys),
    read: readWebhook,
    // The simulator signs with the sandbox API secret, as iDenfy's legacy docs say iDenfy does (ID-SIG-LEG).
    keys: { liveEnv: 'IDENFY_WEBHOOK_KEYS', sandbox: [IDENFY_SANDBOX_CREDENTIALS.apiSecret] },
  },
  operations: {
    token: operation({
      endpoint: `POST ${IDENFY_PATHS.token}`,
      serves: 'hosted_session',
      input: HostedSessionInput,
      // iDenfy's clientId is our customer, and the verification id comes back in every webhook as externalRef.
      call: (ctx, input, meta) => createToken(ctx, { ...input, clientId: meta.customerId, externalRef: meta.verificationId }, meta.now),
      // The price of the session the token opens (iDenfy's pay-as-you-go tier, about USD 1): the token's row is the session's.
      listPrice: 16000,
      // A token call whose answer was lost (charge unknown, no scanRef): the customer's sessions at iDenfy say
      // whether it opened one and how that ended, read by the same rows as the session's webhooks.
      settledBy: {
        operation: 'identifications',
        input: (lost) => ({ clientId: lost.customerId, knownScanRefs: lost.knownRequestIds }),
        rows: 'webhook',
        attributed: (data) => (data as IdenfyUnknownSessions | undefined)?.opened ?? null,
      },
    }),
    webhook: inbound({ endpoint: 'POST /v1/webhooks/idenfy (iDenfy -> us)' }),
    status: operation({
      endpoint: `POST ${IDENFY_PATHS.status}`,
      serves: null,
      input: IdenfyScanRefInput,
      call: (ctx, input) => fetchStatus(ctx, input.scanRef),
    }),
    identifications: operation({
      endpoint: `GET ${IDENFY_PATHS.identifications}?clientId=`,
      serves: null,
      input: IdenfyIdentificationsInput,
      call: (ctx, input) => listUnknownSessions(ctx, input),
    }),
    data: operation({
      endpoint: `POST ${IDENFY_PATHS.data}`,
      serves: null,
      input: IdenfyScanRefInput,
      call: (ctx, input) => fetchData(ctx, input.scanRef),
    }),
  },
};

export type { IdenfyExtractedData, IdenfySession, IdenfyTokenInput, IdenfyVerificationStatus } from './transform';
export { parseWebhook, readWebhook, verifyWebhookSignature } from './webhook';
export { webhookFacts } from './transform';
