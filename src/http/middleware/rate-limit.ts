import type { RequestHandler } from 'express';
import { AppError } from '../../errors/app-error';
import type { AppDeps, Caller } from '../context';
import { RateLimiter } from '../rate-limiter';

/**
 * Limits requests per API key for one operation named in config/rate-limits.json. When Redis cannot
 * answer, the request is refused (503): these limits cap spend at paid providers, so failing open
 * would let a burst through unmetered.
 */
export function rateLimit(deps: AppDeps, operation: string): RequestHandler {
  const rule = deps.config.rateLimits[operation];
  if (!rule) throw new Error(`no rate limit configured for operation ${operation} (config/rate-limits.json)`);
  const limiter = new RateLimiter(deps.redis);
  return async (_req, res, next) => {
    const caller = res.locals.caller as Caller;
    let decision;
    try {
      decision = await limiter.take(caller.keyId, operation, rule);
    } catch (cause) {
      return next(new AppError('service_unavailable', { params: { dependency: 'redis' }, cause }));
    }
    const resetSeconds = Math.ceil(decision.retryAfterMs / 1000);
    res.setHeader('X-RateLimit-Limit', String(decision.limit));
    res.setHeader('X-RateLimit-Remaining', String(decision.remaining));
    if (decision.allowed) return next();
    next(
      new AppError('rate_limited', {
        params: { operation },
        headers: { 'Retry-After': String(Math.max(1, resetSeconds)), 'X-RateLimit-Reset': String(resetSeconds) },
      }),
    );
  };
}
