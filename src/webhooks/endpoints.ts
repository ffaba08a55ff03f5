import type { AppDeps, Caller } from '../deps';
import { AppError } from '../errors/app-error';
import { newId } from '../ids';
import { checkPublicUrl } from '../net/public-address';
import type { Commit } from '../store/db';
import { announceEvents } from './announce';
import { attemptsOf, deliveryById, listDeliveries, restartDelivery, type Delivery, type DeliveryAttempt } from './deliveries-repo';
import { enqueueDeliveries } from './announce';
import * as repo from './endpoints-repo';
import type { WebhookEndpoint } from './endpoints-repo';
import { insertEvent } from './events-repo';
import { newWebhookSecret } from './signature';

export type WebhookDeps = Pick<AppDeps, 'config' | 'db' | 'keys' | 'logger' | 'now' | 'jobs'>;

/** Endpoints an org may have per mode (Stripe: 16): each event is sent once per endpoint. */
export const MAX_ENDPOINTS = 16;

const sandboxOf = (caller: Caller) => caller.keyMode === 'test';

export interface NewEndpointInput {
  url: string;
  /** Event types, or `*` for every event of the org. */
  enabledEvents: string[];
  description?: string;
}

export interface EndpointWithSecret {
  endpoint: WebhookEndpoint;
  /** `whsec_...`: shown in this answer only. */
  secret: string;
}

/**
 * Where a tenant may have us send requests: https for live keys (http too for sandbox ones), and only public
 * addresses unless the operator's allow-list names the host or network (src/net/public-address.ts).
 */
async function requireAllowedUrl(deps: WebhookDeps, caller: Caller, url: string): Promise<void> {
  const check = await checkPublicUrl(url, {
    schemes: caller.keyMode === 'live' ? ['https:'] : ['https:', 'http:'],
    allow: deps.config.webhooks.allow,
  });
  if (!check.ok) throw new AppError('webhook_url_not_allowed', { params: { reason: check.detail }, param: 'url' });
}

export async function createEndpoint(
  deps: WebhookDeps,
  caller: Caller,
  input: NewEndpointInput,
  commit: Commit<EndpointWithSecret>,
): Promise<EndpointWithSecret> {
  await requireAllowedUrl(deps, caller, input.url);
  const secret = newWebhookSecret();
  return commit(async (tx) => {
    const existing = await repo.listEndpoints(tx, caller.orgId, sandboxOf(caller));
    if (existing.length >= MAX_ENDPOINTS) throw new AppError('webhook_endpoint_limit', { params: { limit: MAX_ENDPOINTS } });
    const endpoint = await repo.insertEndpoint(tx, {
      id: newId('we'),
      orgId: caller.orgId,
      sandbox: sandboxOf(caller),
      url: input.url,
      description: input.description ?? null,
      enabledEvents: [...new Set(input.enabledEvents)],
      secretSealed: deps.keys.seal(secret),
    });
    return { endpoint, secret };
  });
}

export async function requireEndpoint(deps: Pick<WebhookDeps, 'db'>, caller: Caller, id: string): Promise<WebhookEndpoint> {
  const endpoint = await repo.findEndpoint(deps.db, caller.orgId, sandboxOf(caller), id);
  if (!endpoint) throw new AppError('resource_not_found', { params: { resource: 'webhook endpoint' }, param: 'id' });
  return endpoint;
}

export const listEndpoints = (deps: Pick<WebhookDeps, 'db'>, caller: Caller) =>
  repo.listEndpoints(deps.db, caller.orgId, sandboxOf(caller));

export async function deleteEndpoint(deps: WebhookDeps, caller: Caller, id: string): Promise<WebhookEndpoint> {
  const endpoint = await repo.deleteEndpoint(deps.db, caller.orgId, sandboxOf(caller), id, deps.now());
  if (!endpoint) throw new AppError('resource_not_found', { params: { resource: 'webhook endpoint' }, param: 'id' });
  return endpoint;
}

/**
 * A new secret signs every delivery from now on; the current one keeps signing beside it (a second `v1`)
 * for `overlapSeconds`, so receivers can switch without dropping a delivery.
 */
export async function rotateSecret(
  deps: WebhookDeps,
  caller: Caller,
  id: string,
  overlapSeconds: number,
  commit: Commit<EndpointWithSecret>,
): Promise<EndpointWithSecret> {
  const secret = newWebhookSecret();
  const until = new Date(deps.now().getTime() + overlapSeconds * 1000);
  return commit(async (tx) => {
    const endpoint = await repo.rotateSecret(tx, caller.orgId, sandboxOf(caller), id, deps.keys.seal(secret), until);
    if (!endpoint) throw new AppError('resource_not_found', { params: { resource: 'webhook endpoint' }, param: 'id' });
    return { endpoint, secret };
  });
}

/** Enables an endpoint again (after it was disabled for failing); its failures count afresh. */
export async function enableEndpoint(deps: WebhookDeps, caller: Caller, id: string): Promise<WebhookEndpoint> {
  const endpoint = await repo.enableEndpoint(deps.db, caller.orgId, sandboxOf(caller), id);
  if (!endpoint) throw new AppError('resource_not_found', { params: { resource: 'webhook endpoint' }, param: 'id' });
  return endpoint;
}

/** Sends a `webhook_endpoint.test` event to this endpoint only (even disabled, to check a fix). Returns its id. */
export async function sendTestEvent(deps: WebhookDeps, caller: Caller, id: string, commit: Commit<string>): Promise<string> {
  const eventId = await commit(async (tx) => {
    const endpoint = await repo.findEndpoint(tx, caller.orgId, sandboxOf(caller), id);
    if (!endpoint) throw new AppError('resource_not_found', { params: { resource: 'webhook endpoint' }, param: 'id' });
    return insertEvent(tx, {
      orgId: caller.orgId,
      type: 'webhook_endpoint.test',
      sandbox: endpoint.sandbox,
      data: { endpointId: id },
      endpointId: id,
    });
  });
  await announceEvents(deps, [eventId]);
  return eventId;
}

export interface DeliveryPage {
  deliveries: Array<{ delivery: Delivery; attempts: DeliveryAttempt[] }>;
  hasMore: boolean;
}

/** One page of the endpoint's delivery log, newest first, each with its tries. */
export async function deliveryLog(
  deps: WebhookDeps,
  caller: Caller,
  endpointId: string,
  page: { after?: string; limit: number },
): Promise<DeliveryPage> {
  await requireEndpoint(deps, caller, endpointId);
  const rows = await listDeliveries(deps.db, endpointId, { after: page.after, limit: page.limit + 1 });
  const shown = rows.slice(0, page.limit);
  const attempts = await attemptsOf(
    deps.db,
    shown.map((d) => d.id),
  );
  return {
    deliveries: shown.map((delivery) => ({ delivery, attempts: attempts.get(delivery.id) ?? [] })),
    hasMore: rows.length > page.limit,
  };
}

/**
 * Manual redelivery: a new series of tries of the same event (same id, same body), whatever the previous
 * series ended in; a series still retrying is superseded. The endpoint must be enabled.
 */
export async function redeliver(deps: WebhookDeps, caller: Caller, endpointId: string, deliveryId: string): Promise<Delivery> {
  const endpoint = await requireEndpoint(deps, caller, endpointId);
  const found = await deliveryById(deps.db, deliveryId);
  if (!found || found.endpointId !== endpoint.id)
    throw new AppError('resource_not_found', { params: { resource: 'webhook delivery' }, param: 'deliveryId' });
  if (endpoint.status !== 'enabled' && found.eventType !== 'webhook_endpoint.test') throw new AppError('webhook_endpoint_disabled');
  const series = await restartDelivery(deps.db, deliveryId);
  try {
    await enqueueDeliveries(deps, [series]);
  } catch (err) {
    // The series is recorded as pending: the worker's sweep queues it once Redis answers again.
    deps.logger.warn({ err: (err as Error).message, deliveryId }, 'redelivery not queued: the webhook sweep will queue it');
  }
  return (await deliveryById(deps.db, deliveryId))!;
}
