import type { AppDeps, Caller } from '../deps';
import { newId } from '../ids';
import { QUEUES } from '../jobs/queues';
import type { UnitOfWork } from '../store/db';
import { listUnstartedAsync, storeSealedInput } from './async-repo';
import { checkRequest, type VerificationRequest } from './run-verification';
import { insertVerification, type Verification } from './verifications-repo';

/**
 * Accepts a verification to be run by a worker (`mode: "async"`): refused now for what a sync one would be
 * refused for before any call (its input, its customer); otherwise written `processing` with its input sealed,
 * the Idempotency-Key's claim and the 202 reply in one transaction, then handed to the `verifications` queue
 * under the verification's own id. A lost enqueue only delays it: the settling sweep enqueues accepted
 * verifications no run has started. The job data is the id; the input never leaves Postgres unsealed.
 */
export async function acceptVerification(
  deps: AppDeps,
  caller: Caller,
  request: VerificationRequest,
  uow: UnitOfWork<Verification>,
): Promise<Verification> {
  await checkRequest(deps, caller, request);
  const id = newId('ver');
  const now = deps.now();
  const sealed = deps.keys.seal(JSON.stringify(request.input));
  const verification = await uow.commit(async (tx) => {
    await uow.begin?.(tx);
    const v = {
      id,
      orgId: caller.orgId,
      keyId: caller.keyId,
      customerId: request.customerId,
      check: request.check,
      mode: 'async' as const,
      requestedProvider: request.provider ?? 'auto',
      sandbox: caller.keyMode === 'test',
      idempotency: request.idempotency,
      // Already past: the first worker takes it at once; the sweep leaves it alone until a run has called.
      leaseUntil: now,
    };
    await insertVerification(tx, v);
    await storeSealedInput(tx, id, sealed);
    return {
      ...v,
      status: 'processing',
      provider: null,
      resultCode: null,
      result: null,
      errorCode: null,
      skipped: [],
      createdAt: now,
      completedAt: null,
    };
  });
  await enqueueRun(deps, verification.id);
  return verification;
}

/** Hands an accepted verification to the workers; never throws (the sweep enqueues it again). */
export async function enqueueRun(deps: AppDeps, verificationId: string): Promise<void> {
  await deps.jobs
    .add(QUEUES.verifications, 'run-verification', { verificationId }, { jobId: verificationId })
    .catch((err: Error) => deps.logger.warn({ err: err.message, verificationId }, 'verification not enqueued; the sweep will'));
}

/** An accepted verification no run has started this long after it was accepted may have lost its job. */
const REQUEUE_AFTER_MS = 60_000;

/**
 * Enqueues again the accepted verifications no run has started (Redis lost the job, or it gave up): a new job
 * where none is held, the failed one retried. A job still waiting or running is left alone (same id).
 */
export async function requeueUnstarted(deps: AppDeps, limit = 200): Promise<number> {
  const ids = await listUnstartedAsync(deps.db, new Date(deps.now().getTime() - REQUEUE_AFTER_MS), limit);
  for (const id of ids) await deps.jobs.addAgain(QUEUES.verifications, 'run-verification', { verificationId: id }, id);
  return ids.length;
}
