import type { RequestHandler, Response } from 'express';
import { AppError } from '../../errors/app-error';
import type { AppDeps, Caller } from '../../deps';
import type { RateLimitNote } from '../http-metrics';
import { RateLimiter } from '../rate-limiter';
import { redisUnavailable } from '../../gateway/provider-gates';

/**
 * Limits requests per API key for one operation named in config/rate-limits.json. When Redis cannot
 * answer, the request is refused (503): these limits cap spend at paid providers, so failing open
 * would let a burst through unmetered.
 */
export function rateLimit(deps: AppDeps, operation: string): RequestHandler {
  ruleOf(deps, operation);
  return async (_req, res, next) => {
    try {
      await takeRateLimit(deps, res, (res.locals.caller as Caller).keyId, operation);
      next();
    } catch (err) {
      next(err);
    }
  };
}

/**
 * Takes one slot of the key's limit for `operation` and sets the rate-limit headers; throws 429 with
 * Retry-After when the window is full, and 503 when Redis cannot answer.
 */
export async function takeRateLimit(deps: AppDeps, res: Response, keyId: string, operation: string): Promise<void> {
  const rule = ruleOf(deps, operation);
  let decision;
  try {
    decision = await new RateLimiter(deps.redis).take(keyId, operation, rule);
  } catch (cause) {
    throw redisUnavailable(cause);
  }
  res.locals.rateLimit = { operation, allowed: decision.allowed } satisfies RateLimitNote;
  const resetSeconds = Math.ceil(decision.retryAfterMs / 1000);
  res.setHeader('X-RateLimit-Limit', String(decision.limit));
  res.setHeader('X-RateLimit-Remaining', String(decision.remaining));
  if (!decision.allowed) {
    throw new AppError('rate_limited', {
      params: { operation },
      headers: { 'Retry-After': String(Math.max(1, resetSeconds)), 'X-RateLimit-Reset': String(resetSeconds) },
    });
  }
}

function ruleOf(deps: AppDeps, operation: string) {
  const rule = deps.config.rateLimits[operation];
  if (!rule) throw new Error(`no rate limit configured for operation ${operation} (config/rate-limits.json)`);
  return rule;
}

