import { Worker, type Job } from 'bullmq';
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

export interface WorkerDeps {
  config: Config;
  db: Db;
  /** Settles the calls abandoned verifications left in flight. */
  errorMap: ErrorMap;
  logger: Logger;
  now: () => Date;
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
  for (const worker of [maintenance]) {
    // A sweep that found nothing is routine (every 30 s): debug, so it never buries the start-up banner or real news.
    worker.on('completed', (job, result) =>
      deps.logger[didWork(result) ? 'info' : 'debug']({ queue: job.queueName, job: job.name, jobId: job.id, result }, 'job completed'),
    );
    worker.on('failed', (job, err) => deps.logger.warn({ queue: job?.queueName, job: job?.name, jobId: job?.id, err: err.message }, 'job failed'));
    worker.on('stalled', (jobId) => deps.logger.warn({ jobId }, 'job stalled: it will run again'));
    worker.on('error', (err) => deps.logger.error({ err: err.message }, 'worker error'));
  }
  return [maintenance];
}

/** Whether a job's result says it did something: a non-zero count anywhere in it, or any other non-empty value. */
function didWork(result: unknown): boolean {
  if (typeof result === 'number') return result !== 0;
  if (result !== null && typeof result === 'object') return Object.values(result).some(didWork);
  return Boolean(result);
}
