import type { AppDeps } from '../../deps';
import { route, type RouteSpec } from '../route';

export function metricsRoutes(deps: AppDeps): RouteSpec[] {
  return [
    /**
     * Prometheus scrape endpoint. Public like /healthz: the figures are per provider and check, never per
     * org or person; keep it off the public listener (network policy) where even that is too much.
     */
    route({
      method: 'get',
      path: '/metrics',
      handler: async () => ({
        status: 200,
        headers: { 'Content-Type': deps.gateway.metrics.registry.contentType },
        body: await deps.gateway.metrics.registry.metrics(),
      }),
    }),
  ];
}
