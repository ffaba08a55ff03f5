import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { ErrorMap } from '../gateway/error-map';
import type { Db } from '../store/db';
import { settleAbandoned } from '../verifications/settle-abandoned';
import { deleteExpiredCaptures } from '../engine/captures-repo';
import { deleteExpiredEnrollments } from '../faces/enrollments-repo';
import { QUEUES, type MaintenanceJobName } from './queues';
import { sweepIdempotency } from './sweep-idempotency';
import type { KeyMaterial } from '../tenancy/key-material';
import { DeliveryAbandoned, deliverOnce, type WebhookWorkerDeps } from '../webhooks/deliver';
import { fanOut, sweepWebhooks } from '../webhooks/fan-out';
import type { WebhookJobName, WebhookJobs } from './queues';

export interface WorkerDeps {
  config: Config;
  db: Db;
  /** Settles the calls abandoned verifications left in flight. */
  errorMap: ErrorMap;
  logger: Logger;
  now: () => Date;
  /** Unseals webhook endpoints' secrets. With `producer`, starts the webhooks worker. */
  keys?: KeyMaterial;
  /** A fail-fast connection for the jobs that enqueue others (a fan-out queues its deliveries). */
  producer?: Redis;
}

type Processor = (job: Job) => Promise<unknown>;

function maintenanceProcessors(deps: WorkerDeps): Record<MaintenanceJobName, Processor> {
  return {
    'sweep-idempotency': () => sweepIdempotency(deps.db, deps.now(), deps.config.idempotency.retentionHours),
    // Capture bundles and face enrollments carry their own retention dates (config/engine.json
    // bundleRetentionDays, face.enrollmentRetentionDays): both hold biometric-derived data.
    'sweep-captures': async () => ({
      deleted: await deleteExpiredCaptures(deps.db, deps.now()),
      enrollmentsDeleted: await deleteExpiredEnrollments(deps.db, deps.now()),
    }),
    'settle-abandoned-verifications': () => settleAbandoned({ ...deps, leaseSeconds: deps.config.verifications.leaseSeconds }),
  };
}

function webhookProcessors(deps: WebhookWorkerDeps): Record<WebhookJobName, Processor> {
  return {
    'fan-out': (job) => fanOut(deps, (job.data as WebhookJobs['fan-out']).eventId),
    deliver: async (job) => {
      const { deliveryId, series } = job.data as WebhookJobs['deliver'];
      try {
        return await deliverOnce(deps, { deliveryId, series, last: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) });
      } catch (err) {
        // The endpoint was disabled by this failure: no more tries.
        if (err instanceof DeliveryAbandoned) throw new UnrecoverableError(err.message);
        throw err;
      }
    },
    'sweep-webhooks': () => sweepWebhooks(deps),
  };
}

/** Deliveries wait on integrators' servers: many run at once; a job stalled by a crash runs again (deliveries are idempotent). */
function webhooksWorker(deps: WorkerDeps, connection: Redis, prefix: string): Worker | undefined {
  if (!deps.keys || !deps.producer) return undefined;
  const processors = webhookProcessors({ ...deps, keys: deps.keys, redis: deps.producer, queuePrefix: prefix });
  const { concurrency, lockDurationMs } = deps.config.webhooks.delivery;
  return new Worker(
    QUEUES.webhooks,
    async (job) => {
      const processor = processors[job.name as WebhookJobName];
      if (!processor) throw new Error(`unknown webhooks job ${job.name}`);
      return processor(job);
    },
    { connection, prefix, concurrency, lockDuration: lockDurationMs, stalledInterval: Math.min(30_000, lockDurationMs), maxStalledCount: 5 },
  );
}

/** Starts the workers of every queue on a connection made for workers (maxRetriesPerRequest: null). */
export function startWorkers(deps: WorkerDeps, connection: Redis, prefix = 'verigate'): Worker[] {
  const processors = maintenanceProcessors(deps);
  const maintenance = new Worker(
    QUEUES.maintenance,
    async (job) => {
      const processor = processors[job.name as MaintenanceJobName];
      if (!processor) throw new Error(`unknown maintenance job ${job.name}`);
      return processor(job);
    },
    { connection, prefix, concurrency: 1 },
  );
  const webhooks = webhooksWorker(deps, connection, prefix);
  const workers = webhooks ? [maintenance, webhooks] : [maintenance];
  for (const worker of workers) {
    worker.on('completed', (job, result) => {
      // A delivery is logged in its own table; one info line per delivery would drown the log.
      if (job.queueName !== QUEUES.webhooks || job.name === 'sweep-webhooks') deps.logger.info({ queue: job.queueName, job: job.name, jobId: job.id, result }, 'job completed');
    });
    worker.on('failed', (job, err) => {
      // A failed delivery try is in the delivery log; the endpoint's disabling has a warn line of its own.
      const level = job?.name === 'deliver' ? 'debug' : 'warn';
      deps.logger[level]({ queue: job?.queueName, job: job?.name, jobId: job?.id, err: err.message }, 'job failed');
    });
    worker.on('stalled', (jobId) => deps.logger.warn({ jobId }, 'job stalled: it will run again'));
    worker.on('error', (err) => deps.logger.error({ err: err.message }, 'worker error'));
  }
  return workers;
}
