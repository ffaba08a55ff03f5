import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** Queue names; job ids within each are chosen by the producer so enqueueing is idempotent. */
export const QUEUES = { maintenance: 'maintenance', sessions: 'sessions', verifications: 'verifications', webhooks: 'webhooks' } as const;

/**
 * Jobs of the work queues, with their data: ids only (never images, NIK, names or descriptors).
 * - sessions `apply-session-event`: a vendor's webhook, stored in inbound_webhooks, applied to its verification.
 * - verifications `run-verification`: an asynchronous verification, run by the same use case as a sync one;
 *   its job id is the verification id.
 */
export interface WorkJobs {
  'apply-session-event': { inboundId: string };
  'run-verification': { verificationId: string };
}

/** Retries of the work queues: a job that fails (a database or Redis hiccup) runs again with backoff. */
const WORK_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/** Job names of the maintenance queue, with their data (ids and dates only: never images or PII). */
export interface MaintenanceJobs {
  'sweep-idempotency': Record<string, never>;
  'sweep-captures': Record<string, never>;
  'settle-abandoned-verifications': Record<string, never>;
  'follow-up-sessions': Record<string, never>;
  'reconcile-unknown-charges': Record<string, never>;
}

export type MaintenanceJobName = keyof MaintenanceJobs;

export function maintenanceQueue(connection: Redis, prefix = 'verigate'): Queue {
  return new Queue(QUEUES.maintenance, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
      removeOnComplete: { age: 24 * 3600, count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
}

/** Registers the recurring retention sweeps; upserting is idempotent across replicas and restarts. */
export async function scheduleMaintenance(queue: Queue, sweepEveryMinutes: number): Promise<void> {
  for (const name of ['sweep-idempotency', 'sweep-captures'] as const) {
    await queue.upsertJobScheduler(name, { every: sweepEveryMinutes * 60_000 }, { name, data: {} });
  }
}

/** Registers the recurring settling of verifications whose run died (every `everySeconds`). */
export async function scheduleSettling(queue: Queue, everySeconds: number): Promise<void> {
  const name = 'settle-abandoned-verifications';
  await queue.upsertJobScheduler(name, { every: everySeconds * 1000 }, { name, data: {} });
}

/** Registers the recurring follow-up of hosted sessions whose final webhook is overdue (every `everySeconds`). */
export async function scheduleFollowUps(queue: Queue, everySeconds: number): Promise<void> {
  const name = 'follow-up-sessions';
  await queue.upsertJobScheduler(name, { every: everySeconds * 1000 }, { name, data: {} });
}

/** Registers the recurring reconciliation of unknown charges through vendors' status APIs (every `everyMinutes`). */
export async function scheduleReconciliation(queue: Queue, everyMinutes: number): Promise<void> {
  const name = 'reconcile-unknown-charges';
  await queue.upsertJobScheduler(name, { every: everyMinutes * 60_000 }, { name, data: {} });
}

/**
 * Job names of the webhooks queue (src/webhooks), with their data: ids only. `fan-out`'s job id is the event
 * id and `deliver`'s is `<deliveryId>-<series>`, so enqueueing either again is a no-op.
 */
export interface WebhookJobs {
  'fan-out': { eventId: string };
  deliver: { deliveryId: string; series: number };
  'sweep-webhooks': Record<string, never>;
}

export type WebhookJobName = keyof WebhookJobs;

/**
 * Default options of each work queue's jobs (src/jobs/jobs.ts): fan-outs retry quickly (they only write rows and
 * enqueue); deliveries set their own attempts and backoff when added (config/webhooks.json).
 */
export const QUEUE_DEFAULTS = {
  [QUEUES.sessions]: WORK_JOB_OPTIONS,
  [QUEUES.verifications]: WORK_JOB_OPTIONS,
  [QUEUES.webhooks]: {
    attempts: 10,
    backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
} as const;

/** Registers the recurring sweep of undispatched events and lost delivery jobs (every `everySeconds`). */
export async function scheduleWebhookSweep(queue: Queue, everySeconds: number): Promise<void> {
  const name = 'sweep-webhooks';
  await queue.upsertJobScheduler(name, { every: everySeconds * 1000 }, { name, data: {} });
}
