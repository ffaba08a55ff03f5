import type { Config } from '../config';
import type { Logger } from '../logger';
import { checkPublicUrl } from '../net/public-address';
import type { Db, Queryable } from '../store/db';
import type { KeyMaterial } from '../tenancy/key-material';
import { announceEvents, type QueueDeps } from './announce';
import { deliveryToMake, logAttempt, recordDelivered, settleDelivery, type DeliveryToMake } from './deliveries-repo';
import { disableEndpoint, markFailing } from './endpoints-repo';
import { insertEvent } from './events-repo';
import { presentEvent } from './present';
import { postWebhook, type SendOutcome } from './send';
import { signatureHeader, SIGNATURE_HEADER } from './signature';

/** What the webhook jobs run with. */
export interface WebhookWorkerDeps extends QueueDeps {
  config: Pick<Config, 'webhooks'>;
  db: Db;
  keys: KeyMaterial;
  logger: Logger;
  now: () => Date;
}

/** A try that did not reach a 2xx: thrown so BullMQ retries it with backoff. */
export class DeliveryFailed extends Error {
  override name = 'DeliveryFailed';
}

/** A delivery that must not be tried again (its endpoint was just disabled). */
export class DeliveryAbandoned extends Error {
  override name = 'DeliveryAbandoned';
}

export interface Try {
  deliveryId: string;
  series: number;
  /** True for the series' last try: a failure ends the delivery as `failed`. */
  last: boolean;
}

export type TryResult = 'delivered' | 'already_delivered' | 'superseded' | 'cancelled' | 'not_found';

/**
 * One try of a delivery. At least once: a try re-run after a crash skips a delivery already recorded as
 * delivered; a crash between the endpoint's 2xx and that record sends the same event (same id, same body)
 * again, which receivers dedupe on the event id. Throws DeliveryFailed on a failure, for the retry.
 */
export async function deliverOnce(deps: WebhookWorkerDeps, t: Try): Promise<TryResult> {
  const d = await deliveryToMake(deps.db, t.deliveryId);
  if (!d) return 'not_found';
  if (d.series !== t.series) return 'superseded';
  if (d.status === 'delivered') return 'already_delivered';
  if (d.status !== 'pending') return d.status === 'cancelled' ? 'cancelled' : 'superseded';
  if (!d.endpoint.usable) {
    // Disabled or deleted since: the delivery ends without a try (a manual redelivery can send it later).
    await settleDelivery(deps.db, t.deliveryId, t.series, 'cancelled', deps.now());
    return 'cancelled';
  }
  const outcome = await send(deps, d);
  if (outcome.error === null) {
    await recordDelivered(deps.db, t.deliveryId, t.series, d.endpoint.id, { at: deps.now(), ...outcome });
    return 'delivered';
  }
  const disabledEvent = await deps.db.transaction(async (tx) => {
    const at = deps.now();
    await logAttempt(tx, t.deliveryId, t.series, { at, ...outcome });
    if (t.last) await settleDelivery(tx, t.deliveryId, t.series, 'failed', at);
    return disableIfFailingTooLong(deps, tx, d, at, t);
  });
  if (disabledEvent) {
    deps.logger.warn(
      { endpointId: d.endpoint.id, orgId: d.endpoint.orgId, disableAfterHours: deps.config.webhooks.delivery.disableAfterHours },
      'webhook endpoint disabled: every delivery failed for longer than the configured period',
    );
    await announceEvents(deps, [disabledEvent]);
    throw new DeliveryAbandoned(`endpoint ${d.endpoint.id} disabled; last try: ${outcome.error}`);
  }
  throw new DeliveryFailed(outcome.error);
}

/** Checks the address again (DNS may have changed since the endpoint was created), signs and POSTs. */
async function send(deps: WebhookWorkerDeps, d: DeliveryToMake): Promise<SendOutcome> {
  const { config, keys } = deps;
  const check = await checkPublicUrl(d.endpoint.url, {
    schemes: d.endpoint.sandbox ? ['https:', 'http:'] : ['https:'],
    allow: config.webhooks.allow,
  });
  if (!check.ok) return { httpStatus: null, latencyMs: 0, error: `${check.reason}: ${check.detail}` };
  const at = deps.now();
  const secrets = [keys.unseal(d.endpoint.secretSealed)];
  if (d.endpoint.previousSecretSealed && d.endpoint.previousSecretExpiresAt && d.endpoint.previousSecretExpiresAt > at) {
    secrets.push(keys.unseal(d.endpoint.previousSecretSealed));
  }
  const body = JSON.stringify(presentEvent(d.event));
  const headers = {
    [SIGNATURE_HEADER]: signatureHeader(body, secrets, at),
    'Verigate-Event-Id': d.event.id,
    'User-Agent': 'verigate-webhooks/1',
  };
  return postWebhook(check.url, check, body, headers, config.webhooks.delivery.timeoutMs);
}

/**
 * An endpoint failing every try for longer than `disableAfterHours` is disabled, in the transaction that
 * logs the failure, with a `webhook_endpoint.disabled` event. Returns that event's id when it did.
 */
async function disableIfFailingTooLong(
  deps: WebhookWorkerDeps,
  tx: Queryable,
  d: DeliveryToMake,
  at: Date,
  t: Try,
): Promise<string | null> {
  const failingSince = await markFailing(tx, d.endpoint.id, at);
  const limitMs = deps.config.webhooks.delivery.disableAfterHours * 3_600_000;
  if (at.getTime() - failingSince.getTime() < limitMs) return null;
  if (!(await disableEndpoint(tx, d.endpoint.id, 'failing'))) return null;
  if (!t.last) await settleDelivery(tx, t.deliveryId, t.series, 'failed', at);
  return insertEvent(tx, {
    orgId: d.endpoint.orgId,
    type: 'webhook_endpoint.disabled',
    sandbox: d.endpoint.sandbox,
    data: { endpointId: d.endpoint.id, reason: 'failing', failingSince: failingSince.toISOString() },
  });
}
