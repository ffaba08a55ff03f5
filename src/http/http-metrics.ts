import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { AppDeps } from '../deps';
import { registerQueueDepths } from '../jobs/queue-depths';

/** Series about the API's own traffic. Labels are route templates, methods, statuses and config names: never ids or data. */
export interface HttpMetrics {
  requests: Histogram<'method' | 'route' | 'status'>;
  idempotency: Counter<'outcome'>;
  rateLimits: Counter<'operation' | 'outcome'>;
}

/** What a request's handlers leave in `res.locals` for the metrics: set by the rate limiter. */
export interface RateLimitNote {
  operation: string;
  allowed: boolean;
}

const IDEMPOTENCY_CONFLICTS: Record<string, string> = { idempotency_key_in_use: 'in_use', idempotency_key_reused: 'reused' };

const registered = new WeakMap<Registry, HttpMetrics>();

let processRegistry: Registry | undefined;

/**
 * prom-client's process and Node series (CPU, memory, handles, GC, event-loop lag) in a registry of their own,
 * one per process: they describe the process, and each set samples with timers and observers of its own, so
 * the apps a process runs (tests start many) share one set instead of piling them up.
 */
export function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The API's series in the app's registry (the gateway's, served at /metrics with `processMetrics`): HTTP rate
 * and latency by route template and status, Idempotency-Key replays and conflicts, rate-limit decisions and
 * BullMQ queue depths. Registered once per registry, however many apps share it.
 */
export function httpMetrics(deps: AppDeps): HttpMetrics {
  const registry = deps.gateway.metrics.registry;
  const known = registered.get(registry);
  if (known) return known;
  registerQueueDepths(registry, deps.redis);
  const metrics: HttpMetrics = {
    requests: new Histogram({
      name: 'verigate_http_request_duration_seconds',
      help: 'HTTP requests by method, route template and status, with their duration',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    idempotency: new Counter({
      name: 'verigate_idempotency_total',
      help: 'Idempotency-Key outcomes: replayed (a stored answer sent again), in_use (409), reused (422)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    rateLimits: new Counter({
      name: 'verigate_rate_limit_total',
      help: 'Per-key rate-limit decisions by operation (config/rate-limits.json): allowed or limited (429)',
      labelNames: ['operation', 'outcome'] as const,
      registers: [registry],
    }),
  };
  registered.set(registry, metrics);
  return metrics;
}

/** Records each answered request once it is sent. Unmatched paths share one label, so a scan cannot grow the series. */
export function recordHttpMetrics(metrics: HttpMetrics): RequestHandler {
  return (req, res, next) => {
    const stop = metrics.requests.startTimer();
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      stop({ method: req.method, route, status: String(res.statusCode) });
      if (res.getHeader('Idempotent-Replayed') === 'true') metrics.idempotency.inc({ outcome: 'replayed' });
      const conflict = IDEMPOTENCY_CONFLICTS[res.locals.errorCode as string];
      if (conflict) metrics.idempotency.inc({ outcome: conflict });
      const limit = res.locals.rateLimit as RateLimitNote | undefined;
      if (limit) metrics.rateLimits.inc({ operation: limit.operation, outcome: limit.allowed ? 'allowed' : 'limited' });
    });
    next();
  };
}
