import type { Queue } from 'bullmq';
import type { Config } from '../config';
import type { Jobs } from '../jobs/jobs';
import { QUEUES, type WebhookJobs } from '../jobs/queues';
import type { Logger } from '../logger';

/** What enqueueing needs: the process's queues (src/jobs/jobs.ts) and a logger. */
export interface QueueDeps {
  jobs: Jobs;
  logger: Logger;
}

export const webhooksQueueOf = (deps: Pick<QueueDeps, 'jobs'>): Queue => deps.jobs.queue(QUEUES.webhooks);

/** Queues the fan-out of events already committed; throws when Redis refuses. */
export async function enqueueFanOut(deps: QueueDeps, eventIds: readonly string[]): Promise<void> {
  if (eventIds.length === 0) return;
  const data = (eventId: string): WebhookJobs['fan-out'] => ({ eventId });
  await webhooksQueueOf(deps).addBulk(eventIds.map((id) => ({ name: 'fan-out', data: data(id), opts: { jobId: id } })));
}

/**
 * Call after the transaction that recorded the events has committed: queues their fan-out (job id = event
 * id, so announcing twice is harmless). Never throws: with Redis down the event stays undispatched in
 * Postgres and the worker's sweep fans it out later.
 */
export async function announceEvents(deps: QueueDeps, eventIds: string[]): Promise<void> {
  try {
    await enqueueFanOut(deps, eventIds);
  } catch (err) {
    deps.logger.warn({ err: (err as Error).message, events: eventIds.length }, 'events not announced: the webhook sweep will fan them out');
  }
}

/** Queues one delivery job per delivery series, with the configured attempts and backoff; throws when Redis refuses. */
export async function enqueueDeliveries(
  deps: QueueDeps & { config: Pick<Config, 'webhooks'> },
  deliveries: ReadonlyArray<{ id: string; series: number }>,
): Promise<void> {
  if (deliveries.length === 0) return;
  const { attempts, baseDelayMs, jitter } = deps.config.webhooks.delivery;
  const data = (d: { id: string; series: number }): WebhookJobs['deliver'] => ({ deliveryId: d.id, series: d.series });
  await webhooksQueueOf(deps).addBulk(
    deliveries.map((d) => ({
      name: 'deliver',
      data: data(d),
      opts: { jobId: `${d.id}-${d.series}`, attempts, backoff: { type: 'exponential', delay: baseDelayMs, jitter } },
    })),
  );
}
