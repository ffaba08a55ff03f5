import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AppDeps } from '../deps';
import { settleAbandoned } from '../verifications/settle-abandoned';
import { deleteExpiredCaptures } from '../engine/captures-repo';
import { deleteExpiredEnrollments } from '../faces/enrollments-repo';
import { applySessionEvent } from '../sessions/apply-session-event';
import { followUpSessions } from '../sessions/follow-up';
import { requeueUnstarted } from '../verifications/accept-verification';
import { runQueuedVerification } from '../verifications/run-queued-verification';
import { QUEUES, type MaintenanceJobName, type WorkJobs } from './queues';
import { sweepIdempotency } from './sweep-idempotency';

/** What the workers run with: the process's dependencies, as the API's (a worker runs the same use cases). */
export type WorkerDeps = AppDeps;

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
    'settle-abandoned-verifications': async () => ({
      ...(await settleAbandoned({ ...deps, leaseSeconds: deps.config.verifications.leaseSeconds })),
      requeued: await requeueUnstarted(deps),
    }),
    'follow-up-sessions': async () => {
      const r = await followUpSessions(deps);
      return { followedUp: r.followedUp, requeued: r.requeued, ended: r.events.filter((e) => e.outcome === 'ended').length };
    },
  };
}

function workProcessors(deps: WorkerDeps): { [K in keyof WorkJobs]: (data: WorkJobs[K]) => Promise<unknown> } {
  return {
    'apply-session-event': ({ inboundId }) => applySessionEvent(deps, inboundId).then((r) => ({ outcome: r.outcome })),
    'run-verification': ({ verificationId }) => runQueuedVerification(deps, verificationId),
  };
}

/** One worker of a queue whose job names map to processors; an unknown name fails the job (a deploy mismatch). */
function worker(
  deps: WorkerDeps,
  connection: Redis,
  prefix: string,
  queue: string,
  run: (job: Job) => Promise<unknown>,
  concurrency: number,
): Worker {
  const w = new Worker(queue, run, { connection, prefix, concurrency });
  w.on('completed', (job, result) => deps.logger.info({ queue: job.queueName, job: job.name, jobId: job.id, result }, 'job completed'));
  w.on('failed', (job, err) => deps.logger.warn({ queue: job?.queueName, job: job?.name, jobId: job?.id, err: err.message }, 'job failed'));
  w.on('stalled', (jobId) => deps.logger.warn({ jobId }, 'job stalled: it will run again'));
  w.on('error', (err) => deps.logger.error({ err: err.message }, 'worker error'));
  return w;
}

/** Starts the workers of every queue on a connection made for workers (maxRetriesPerRequest: null). */
export function startWorkers(deps: WorkerDeps, connection: Redis, prefix = deps.jobs.prefix): Worker[] {
  const maintenance = maintenanceProcessors(deps);
  const work = workProcessors(deps) as Record<string, (data: unknown) => Promise<unknown>>;
  const byName = (processors: Record<string, (job: Job) => Promise<unknown>>) => async (job: Job) => {
    const processor = processors[job.name];
    if (!processor) throw new Error(`unknown job ${job.name}`);
    return processor(job);
  };
  const workJob = byName(Object.fromEntries(Object.entries(work).map(([name, run]) => [name, (job: Job) => run(job.data)])));
  return [
    worker(deps, connection, prefix, QUEUES.maintenance, byName(maintenance), 1),
    worker(deps, connection, prefix, QUEUES.sessions, workJob, 4),
    worker(deps, connection, prefix, QUEUES.verifications, workJob, deps.config.verifications.asyncConcurrency),
  ];
}
