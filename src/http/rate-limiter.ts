import type { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { RateLimit } from '../config';

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Milliseconds until the next request would be allowed (0 when allowed). */
  retryAfterMs: number;
}

// A sliding-window log: every allowed request is a member scored by Redis' own clock, so instances with
// skewed clocks still share one window, and the limit holds in every rolling window (no boundary burst
// as with fixed windows). One script call is atomic, so concurrent instances cannot both take the last slot.
const SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, limit - count - 1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, 0, tonumber(oldest[2]) + window - now}
`;

// How many slots the window holds now, without taking one (same clock as SCRIPT).
const PEEK = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], '(' .. (now - tonumber(ARGV[1])), '+inf')
`;

export class RateLimiter {
  constructor(private readonly redis: Redis, private readonly prefix = 'verigate:rl') {}

  /** Takes one slot for (key, operation) if the window has room. Throws when Redis does not answer. */
  async take(keyId: string, operation: string, rule: RateLimit): Promise<RateDecision> {
    const reply = (await this.redis.eval(
      SCRIPT,
      1,
      `${this.prefix}:${operation}:${keyId}`,
      rule.limit,
      rule.windowSeconds * 1000,
      randomBytes(6).toString('hex'),
    )) as [number, number, number];
    return { allowed: reply[0] === 1, limit: rule.limit, remaining: reply[1], retryAfterMs: Math.max(0, reply[2]) };
  }

  /** Requests (key, operation) made in the current rolling window, without taking a slot. */
  async used(keyId: string, operation: string, rule: RateLimit): Promise<number> {
    return Number(await this.redis.eval(PEEK, 1, `${this.prefix}:${operation}:${keyId}`, rule.windowSeconds * 1000));
  }
}
