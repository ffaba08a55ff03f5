import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';
import { QUEUES } from './queues';

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'] as const;

/** How long a scrape waits for Redis before it leaves the queue series out. */
const COUNT_TIMEOUT_MS = 1000;

/**
 * `verigate_queue_jobs{queue,state}`: each BullMQ queue's jobs by state, counted in Redis at scrape time (so
 * an API process shows the depth its workers must drain). With Redis slow or down the series are left out of
 * that scrape rather than holding it up.
 */
export function registerQueueDepths(registry: Registry, redis: Redis, prefix = 'verigate'): void {
  let queues: Queue[] | undefined;
  new Gauge({
    name: 'verigate_queue_jobs',
    help: 'BullMQ jobs by queue and state, counted at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      queues ??= Object.values(QUEUES).map((name) => new Queue(name, { connection: redis, prefix }));
      for (const queue of queues) {
        const counts = await withTimeout(queue.getJobCounts(...STATES), COUNT_TIMEOUT_MS);
        if (!counts) continue;
        for (const state of STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
      }
    },
  });
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}
