import type { Delivery, DeliveryAttempt } from './deliveries-repo';
import type { WebhookEndpoint } from './endpoints-repo';
import type { EventType } from './event-types';

/**
 * An event as GET /v1/events shows it and as a delivery's body carries it: the same JSON both ways, built
 * from the stored row only, so every try of a delivery sends the same bytes.
 */
export const presentEvent = (e: { id: string; type: EventType; data: Record<string, unknown>; sandbox: boolean; createdAt: Date }) => ({
  id: e.id,
  object: 'event',
  type: e.type,
  livemode: !e.sandbox,
  createdAt: e.createdAt.toISOString(),
  data: e.data,
});

export const presentEndpoint = (w: WebhookEndpoint) => ({
  id: w.id,
  object: 'webhook_endpoint',
  url: w.url,
  description: w.description,
  enabledEvents: w.enabledEvents,
  status: w.status,
  disabledReason: w.disabledReason,
  livemode: !w.sandbox,
  /** Until when the previous secret still signs beside the current one (a rotation's overlap). */
  previousSecretExpiresAt: w.previousSecretExpiresAt?.toISOString() ?? null,
  createdAt: w.createdAt.toISOString(),
});

/** With its secret: the answer of a creation or a rotation, the only places the secret is shown. */
export const presentEndpointWithSecret = ({ endpoint, secret }: { endpoint: WebhookEndpoint; secret: string }) => ({
  ...presentEndpoint(endpoint),
  secret,
});

const presentAttempt = (a: DeliveryAttempt) => ({
  series: a.series,
  attempt: a.attempt,
  at: a.at.toISOString(),
  httpStatus: a.httpStatus,
  latencyMs: a.latencyMs,
  error: a.error,
});

export const presentDelivery = (d: Delivery, attempts: DeliveryAttempt[]) => ({
  id: d.id,
  object: 'webhook_delivery',
  eventId: d.eventId,
  eventType: d.eventType,
  endpointId: d.endpointId,
  status: d.status,
  series: d.series,
  createdAt: d.createdAt.toISOString(),
  deliveredAt: d.deliveredAt?.toISOString() ?? null,
  attempts: attempts.map(presentAttempt),
});
