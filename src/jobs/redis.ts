import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger';

/**
 * For BullMQ workers (and blocking commands): never give up on a command, because a worker must
 * survive a Redis restart (BullMQ requires `maxRetriesPerRequest: null`).
 */
export function workerConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}

/**
 * For the API and queue producers: with Redis down a command fails at once instead of waiting in an
 * offline queue, so a request answers 503 rather than hanging.
 */
export function producerConnection(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, ...extra });
}

/** Waits until a fail-fast connection is ready (its commands are refused before that). */
export async function whenReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      redis.disconnect(); // stop reconnecting: the caller gives up on this connection
      reject(new Error(`Redis not ready after ${timeoutMs} ms (status ${redis.status})`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}

/**
 * BullMQ loses jobs if Redis evicts keys under memory pressure; anything but `noeviction` is logged as
 * a warning at start-up. Returns the policy found.
 */
export async function checkEvictionPolicy(redis: Redis, logger: Logger): Promise<string> {
  let policy: string;
  try {
    policy = ((await redis.config('GET', 'maxmemory-policy')) as string[])[1] ?? 'unknown';
  } catch (err) {
    // Managed Redis services often disable CONFIG: say so and go on rather than refuse to start.
    logger.warn({ err: (err as Error).message }, 'could not read Redis maxmemory-policy; make sure it is "noeviction"');
    return 'unknown';
  }
  if (policy !== 'noeviction') {
    logger.warn({ policy }, 'Redis maxmemory-policy should be "noeviction": queued jobs and idempotency state can be evicted');
  }
  return policy;
}
