import type { AppDeps } from '../../deps';
import { receiveWebhook } from '../../sessions/receive-webhook';
import { route, type RouteSpec } from '../route';

/** Largest webhook body read, in bytes: iDenfy's result payloads are a few kilobytes of JSON. */
const WEBHOOK_BODY_LIMIT = 256 * 1024;

export function inboundWebhookRoutes(deps: AppDeps): RouteSpec[] {
  return [
    /**
     * A vendor's signed webhook about a session it hosts (iDenfy: `Idenfy-Signature`, `Idenfy-Event-Type`). No
     * API key: the signature over the raw bytes is the credential, checked before anything is parsed. Answers
     * 200 once the event is kept (a redelivery too, so the vendor stops retrying); its job applies it.
     */
    route({
      method: 'post',
      path: '/v1/webhooks/:provider',
      rawBody: true,
      bodyLimitBytes: WEBHOOK_BODY_LIMIT,
      handler: async ({ params, req }) => {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
        const receipt = await receiveWebhook(deps, params.provider as string, req.body as Buffer, headers);
        return { status: 200, body: { received: true, duplicate: receipt.outcome === 'duplicate' } };
      },
    }),
  ];
}
