import { z } from 'zod';
import type { AppDeps } from '../../deps';
import { AppError } from '../../errors/app-error';
import * as endpoints from '../../webhooks/endpoints';
import { EVENT_TYPES, EventType, TEST_EVENT_TYPE } from '../../webhooks/event-types';
import { findEvent, listEvents } from '../../webhooks/events-repo';
import { presentDelivery, presentEndpoint, presentEndpointWithSecret, presentEvent } from '../../webhooks/present';
import { route, type Reply, type RouteSpec } from '../route';

const SUBSCRIBABLE = ['*', ...EVENT_TYPES.filter((t) => t !== TEST_EVENT_TYPE)] as const;

const CreateEndpoint = z
  .object({
    url: z.string().max(2048),
    enabledEvents: z
      .array(
        z.enum(SUBSCRIBABLE, {
          error: (i) => `unknown event type ${JSON.stringify(i.input)}; expected * or one of ${SUBSCRIBABLE.slice(1).join(', ')}`,
        }),
      )
      .min(1)
      .max(SUBSCRIBABLE.length),
    description: z.string().trim().max(200).optional(),
  })
  .strict();

const rotateBody = (deps: AppDeps) =>
  z
    .object({
      /** How long the current secret keeps signing beside the new one, in seconds; default config rotation.defaultOverlapSeconds. */
      overlapSeconds: z.number().int().min(0).max(deps.config.webhooks.rotation.maxOverlapSeconds).optional(),
    })
    .strict();

const page = (prefix: string) => ({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  startingAfter: z
    .string()
    .regex(new RegExp(`^${prefix}_\\w+$`))
    .optional(),
});
const DeliveriesQuery = z.object(page('dlv')).strict();
const EventsQuery = z.object({ ...page('evt'), type: EventType.optional() }).strict();

const created = (v: endpoints.EndpointWithSecret): Reply => ({ status: 201, body: presentEndpointWithSecret(v) });
const rotated = (v: endpoints.EndpointWithSecret): Reply => ({ status: 200, body: presentEndpointWithSecret(v) });
const testSent = (eventId: string): Reply => ({ status: 202, body: { object: 'event', id: eventId, type: TEST_EVENT_TYPE } });

const list = <T>(data: T[], hasMore: boolean, id: (t: T) => string) => ({
  object: 'list',
  data,
  hasMore,
  nextCursor: hasMore && data.length > 0 ? id(data.at(-1)!) : null,
});

export function webhookRoutes(deps: AppDeps): RouteSpec[] {
  const RotateSecret = rotateBody(deps);
  return [
    /** The secret is in this answer only. Live keys need an https URL; no URL may reach a non-public address unless allow-listed. */
    route({
      method: 'post',
      path: '/v1/webhook-endpoints',
      scope: 'webhooks:manage',
      body: CreateEndpoint,
      handler: async ({ caller, body, commit }) => created(await endpoints.createEndpoint(deps, caller, body, commit(created))),
    }),
    route({
      method: 'get',
      path: '/v1/webhook-endpoints',
      scope: 'webhooks:manage',
      handler: async ({ caller }) => ({
        status: 200,
        body: { object: 'list', data: (await endpoints.listEndpoints(deps, caller)).map(presentEndpoint) },
      }),
    }),
    route({
      method: 'get',
      path: '/v1/webhook-endpoints/:id',
      scope: 'webhooks:manage',
      handler: async ({ caller, params }) => ({
        status: 200,
        body: presentEndpoint(await endpoints.requireEndpoint(deps, caller, params.id as string)),
      }),
    }),
    route({
      method: 'delete',
      path: '/v1/webhook-endpoints/:id',
      scope: 'webhooks:manage',
      handler: async ({ caller, params }) => ({
        status: 200,
        body: { ...presentEndpoint(await endpoints.deleteEndpoint(deps, caller, params.id as string)), deleted: true },
      }),
    }),
    route({
      method: 'post',
      path: '/v1/webhook-endpoints/:id/rotate-secret',
      scope: 'webhooks:manage',
      body: RotateSecret,
      handler: async ({ caller, params, body, commit }) =>
        rotated(
          await endpoints.rotateSecret(
            deps,
            caller,
            params.id as string,
            body.overlapSeconds ?? deps.config.webhooks.rotation.defaultOverlapSeconds,
            commit(rotated),
          ),
        ),
    }),
    route({
      method: 'post',
      path: '/v1/webhook-endpoints/:id/enable',
      scope: 'webhooks:manage',
      handler: async ({ caller, params }) => ({
        status: 200,
        body: presentEndpoint(await endpoints.enableEndpoint(deps, caller, params.id as string)),
      }),
    }),
    route({
      method: 'post',
      path: '/v1/webhook-endpoints/:id/test',
      scope: 'webhooks:manage',
      handler: async ({ caller, params, commit }) =>
        testSent(await endpoints.sendTestEvent(deps, caller, params.id as string, commit(testSent))),
    }),
    route({
      method: 'get',
      path: '/v1/webhook-endpoints/:id/deliveries',
      scope: 'webhooks:manage',
      query: DeliveriesQuery,
      handler: async ({ caller, params, query }) => {
        const log = await endpoints.deliveryLog(deps, caller, params.id as string, { after: query.startingAfter, limit: query.limit });
        const data = log.deliveries.map((d) => presentDelivery(d.delivery, d.attempts));
        return { status: 200, body: list(data, log.hasMore, (d) => d.id) };
      },
    }),
    route({
      method: 'post',
      path: '/v1/webhook-endpoints/:id/deliveries/:deliveryId/redeliver',
      scope: 'webhooks:manage',
      handler: async ({ caller, params }) => {
        const delivery = await endpoints.redeliver(deps, caller, params.id as string, params.deliveryId as string);
        return { status: 202, body: presentDelivery(delivery, []) };
      },
    }),
    route({
      method: 'get',
      path: '/v1/events',
      scope: 'events:view',
      query: EventsQuery,
      handler: async ({ caller, query }) => {
        const rows = await listEvents(deps.db, caller.orgId, caller.keyMode === 'test', {
          type: query.type,
          after: query.startingAfter,
          limit: query.limit + 1,
        });
        const data = rows.slice(0, query.limit).map(presentEvent);
        return { status: 200, body: list(data, rows.length > query.limit, (e) => e.id) };
      },
    }),
    route({
      method: 'get',
      path: '/v1/events/:id',
      scope: 'events:view',
      handler: async ({ caller, params }) => {
        const event = await findEvent(deps.db, caller.orgId, caller.keyMode === 'test', params.id as string);
        if (!event) throw new AppError('resource_not_found', { params: { resource: 'event' }, param: 'id' });
        return { status: 200, body: presentEvent(event) };
      },
    }),
  ];
}
