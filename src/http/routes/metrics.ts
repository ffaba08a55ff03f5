import type { AppDeps } from '../../deps';
import { processMetrics } from '../http-metrics';
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
        // The app's series, then the process's (CPU, memory, event loop), in one exposition.
        body: `${await deps.gateway.metrics.registry.metrics()}\n${await processMetrics().metrics()}`,
      }),
    }),
  ];
}
