import { UnrecoverableError, Worker, type Job, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AppDeps } from '../deps';
import { settleAbandoned } from '../verifications/settle-abandoned';
import { deleteExpiredCaptures } from '../engine/captures-repo';
import { deleteExpiredEnrollments } from '../faces/enrollments-repo';
import { applySessionEvent } from '../sessions/apply-session-event';
import { followUpSessions } from '../sessions/follow-up';
import { requeueUnstarted } from '../verifications/accept-verification';
import { reconcileUnknownCharges } from '../finance/reconcile-unknown';
import { requeueOverdueAsks } from '../verifications/flow-waits';
import { runQueuedVerification } from '../verifications/run-queued-verification';
import { DeliveryAbandoned, deliverOnce, type WebhookWorkerDeps } from '../webhooks/deliver';
import { fanOut, sweepWebhooks } from '../webhooks/fan-out';
import { QUEUES, type MaintenanceJobs, type WebhookJobs, type WorkJobs } from './queues';
import { sweepIdempotency } from './sweep-idempotency';

/** What the workers run with: the process's dependencies, as the API's (a worker runs the same use cases). */
export type WorkerDeps = AppDeps;

type Processors<J> = { [K in keyof J]: (data: J[K], job: Job) => Promise<unknown> };

function maintenanceProcessors(deps: WorkerDeps): Processors<MaintenanceJobs> {
  return {
    'sweep-idempotency': () => sweepIdempotency(deps.db, deps.now(), deps.config.idempotency.retentionHours),
    // Capture bundles and face enrollments carry their own retention dates (config/engine.json
    // bundleRetentionDays, face.enrollmentRetentionDays): both hold biometric-derived data.
    'sweep-captures': async () => ({
      deleted: await deleteExpiredCaptures(deps.db, deps.now()),
      enrollmentsDeleted: await deleteExpiredEnrollments(deps.db, deps.now()),
    }),
    'settle-abandoned-verifications': async () => ({
      ...(await settleAbandoned({ ...deps, registry: deps.gateway.registry, leaseSeconds: deps.config.verifications.leaseSeconds })),
      requeued: (await requeueUnstarted(deps)) + (await requeueOverdueAsks(deps)),
    }),
    'reconcile-unknown-charges': () => reconcileUnknownCharges(deps),
    'follow-up-sessions': async () => {
      const r = await followUpSessions(deps);
      return { followedUp: r.followedUp, requeued: r.requeued, ended: r.events.filter((e) => e.outcome === 'ended').length };
    },
  };
}

function workProcessors(deps: WorkerDeps): Processors<WorkJobs> {
  return {
    'apply-session-event': ({ inboundId }) => applySessionEvent(deps, inboundId).then((r) => ({ outcome: r.outcome })),
    'run-verification': ({ verificationId }) => runQueuedVerification(deps, verificationId),
  };
}

function webhookProcessors(deps: WebhookWorkerDeps): Processors<WebhookJobs> {
  return {
    'fan-out': ({ eventId }) => fanOut(deps, eventId),
    deliver: async ({ deliveryId, series }, job) => {
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

/** One worker of a queue whose job names map to processors; an unknown name fails the job (a deploy mismatch). */
function worker<J>(deps: Pick<WorkerDeps, 'logger'>, queue: string, processors: Processors<J>, options: WorkerOptions): Worker {
  const run = processors as Record<string, (data: unknown, job: Job) => Promise<unknown>>;
  const w = new Worker(
    queue,
    async (job) => {
      const processor = run[job.name];
      if (!processor) throw new Error(`unknown job ${job.name}`);
      return processor(job.data, job);
    },
    options,
  );
  w.on('completed', (job, result) => {
    // A delivery is logged in its own table; one info line per delivery would drown the log. A sweep that
    // found nothing is routine (every 30 s): debug, so it never buries the start-up banner or real news.
    if (job.name === 'deliver') return;
    deps.logger[didWork(result) ? 'info' : 'debug']({ queue: job.queueName, job: job.name, jobId: job.id, result }, 'job completed');
  });
  w.on('failed', (job, err) => {
    // A failed delivery try is in the delivery log; the endpoint's disabling has a warn line of its own.
    const level = job?.name === 'deliver' ? 'debug' : 'warn';
    deps.logger[level]({ queue: job?.queueName, job: job?.name, jobId: job?.id, err: err.message }, 'job failed');
  });
  w.on('stalled', (jobId) => deps.logger.warn({ jobId }, 'job stalled: it will run again'));
  w.on('error', (err) => deps.logger.error({ err: err.message }, 'worker error'));
  return w;
}

/** Starts the workers of every queue on a connection made for workers (maxRetriesPerRequest: null), on `deps.jobs`' queues. */
export function startWorkers(deps: WorkerDeps, connection: Redis): Worker[] {
  const base = { connection, prefix: deps.jobs.prefix };
  return [
    worker(deps, QUEUES.maintenance, maintenanceProcessors(deps), { ...base, concurrency: 1 }),
    worker(deps, QUEUES.sessions, workProcessors(deps), { ...base, concurrency: 4 }),
    worker(deps, QUEUES.verifications, workProcessors(deps), {
      ...base,
      concurrency: deps.config.verifications.asyncConcurrency,
      // A dead worker's job runs again as soon as its verification's lease would let a run take it.
      lockDuration: deps.config.verifications.leaseSeconds * 1000,
      stalledInterval: deps.config.verifications.leaseSeconds * 1000,
    }),
    startWebhooksWorker(deps, connection),
  ];
}

/**
 * The webhooks queue's worker alone (fan-outs, deliveries, the sweep): what startWorkers runs, and what the
 * delivery bench runs without the rest. Deliveries wait on integrators' servers, so many run at once; a job
 * stalled by a crash runs again (deliveries are idempotent).
 */
export function startWebhooksWorker(deps: WebhookWorkerDeps, connection: Redis): Worker {
  const { concurrency, lockDurationMs } = deps.config.webhooks.delivery;
  return worker(deps, QUEUES.webhooks, webhookProcessors(deps), {
    connection,
    prefix: deps.jobs.prefix,
    concurrency,
    lockDuration: lockDurationMs,
    stalledInterval: Math.min(30_000, lockDurationMs),
    maxStalledCount: 5,
  });
}

/** Whether a job's result says it did something: a non-zero count anywhere in it, or any other non-empty value. */
function didWork(result: unknown): boolean {
  if (typeof result === 'number') return result !== 0;
  if (result !== null && typeof result === 'object') return Object.values(result).some(didWork);
  return Boolean(result);
}
