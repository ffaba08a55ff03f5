import type { Response } from 'express';
import { AppError } from '../errors/app-error';
import type { AppDeps } from '../http/context';
import type { RateLimiter } from '../http/rate-limiter';

/**
 * The per-key limit of a capture, whose operation (`ktp.capture` or `selfie.capture`) depends on the
 * body's `kind`, so it cannot be the route's static `rateLimit`. Same behaviour as that middleware:
 * rate headers, 429 with Retry-After, and 503 when Redis cannot answer (fail closed).
 */
export async function takeCaptureSlot(deps: AppDeps, limiter: RateLimiter, keyId: string, operation: string, res: Response): Promise<void> {
  const rule = deps.config.rateLimits[operation];
  if (!rule) throw new Error(`no rate limit configured for operation ${operation} (config/rate-limits.json)`);
  let decision;
  try {
    decision = await limiter.take(keyId, operation, rule);
  } catch (cause) {
    throw new AppError('service_unavailable', { params: { dependency: 'redis' }, cause });
  }
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
