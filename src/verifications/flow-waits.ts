import type { Check, Flow } from '../../adapters/types';
import type { AppDeps } from '../deps';
import type { Attempt } from '../gateway/attempt';
import { flowServing } from '../gateway/flow';
import type { Registry } from '../gateway/registry';
import { QUEUES } from '../jobs/queues';
import type { Queryable } from '../store/db';
import { recordEvent } from '../webhooks/events-repo';
import { deleteSealedInput } from './async-repo';
import { statusOf } from './run-verification';
import { verificationEvent } from './verification-events';
import { toVerification, type Verification, type VerificationRow } from './verifications-repo';

/**
 * Asynchronous verifications whose vendor flow waits on the person (Lapis' eKYC request until the email OTP and
 * phone call are done): the run that found it waiting leaves the verification `pending` with its input still
 * sealed and a time to ask again (`resume_at`), doubling from `flowWaits.firstSeconds` up to `maxSeconds`; a
 * delayed job (id from that time, so the sweep's re-adding is the same job) runs it again then. Past
 * `limitSeconds` after it was accepted it ends `expired` (`flow_expired`), its input deleted.
 */

/** The flow a verification waits on: its check is served by a flow, and its answer so far is `pending`. */
function waitedOnFlow(registry: Registry, v: Verification): Flow | undefined {
  if (v.mode !== 'async' || v.status !== 'pending') return undefined;
  return flowServing(registry, v.check as Check, v.provider);
}

/** When a waiting verification is asked about next (null: its time is up), after `waits` answers of "wait". */
export function nextAsk(config: AppDeps['config']['verifications']['flowWaits'], acceptedAt: Date, waits: number, now: Date): Date | null {
  const limit = acceptedAt.getTime() + config.limitSeconds * 1000;
  if (now.getTime() >= limit) return null;
  const delayMs = Math.min(config.firstSeconds * 2 ** Math.max(0, waits - 1), config.maxSeconds) * 1000;
  return new Date(Math.min(now.getTime() + delayMs, limit));
}

/** How many times the flow's waiting steps said "wait" (answered a verdict that stands for `pending`). */
const waitsRecorded = (flow: Flow, attempts: readonly Attempt[]) =>
  attempts.filter((a) => flow.waits.includes(a.operation) && a.kind === 'result' && statusOf(a) === 'pending').length;

/**
 * In the run's last transaction: a waiting verification keeps its input and is given its next ask, or ends
 * `expired` once its time is up (with its `verification.completed` event, returned); anything else has its
 * input deleted, nothing of it outliving the answer.
 */
export async function parkOrEnd(
  tx: Queryable,
  deps: Pick<AppDeps, 'config' | 'gateway' | 'now'>,
  v: Verification,
  attempts: readonly Attempt[],
): Promise<{ resumeAt?: Date; expired?: { verification: Verification; eventId: string } }> {
  const flow = waitedOnFlow(deps.gateway.registry, v);
  if (!flow) {
    await deleteSealedInput(tx, v.id);
    return {};
  }
  const resumeAt = nextAsk(deps.config.verifications.flowWaits, v.createdAt, waitsRecorded(flow, attempts), deps.now());
  if (resumeAt) {
    await tx.query('UPDATE verifications SET resume_at = $2 WHERE id = $1', [v.id, resumeAt]);
    return { resumeAt };
  }
  const { rows } = await tx.query<VerificationRow>(
    `UPDATE verifications SET status = 'expired', result_code = 'flow_expired', resume_at = NULL, completed_at = $2
      WHERE id = $1 AND status = 'pending' RETURNING *`,
    [v.id, deps.now()],
  );
  await deleteSealedInput(tx, v.id);
  const ended = toVerification(rows[0]!);
  const eventId = await recordEvent(
    tx,
    verificationEvent('verification.completed', ended, {
      status: 'expired',
      provider: ended.provider,
      resultCode: 'flow_expired',
      errorCode: null,
    }),
  );
  return { expired: { verification: ended, eventId } };
}

/** The job that asks again at `resumeAt`; never throws (the sweep re-adds a job Redis lost). */
export async function scheduleAsk(deps: Pick<AppDeps, 'jobs' | 'logger' | 'now'>, verificationId: string, resumeAt: Date): Promise<void> {
  const delay = Math.max(0, resumeAt.getTime() - deps.now().getTime());
  await deps.jobs
    .add(QUEUES.verifications, 'run-verification', { verificationId }, { jobId: askJobId(verificationId, resumeAt), delay })
    .catch((err: Error) => deps.logger.warn({ err: err.message, verificationId }, 'flow wait not scheduled; the sweep will'));
}

const askJobId = (verificationId: string, resumeAt: Date) => `${verificationId}.ask.${resumeAt.getTime()}`;

/** A waiting verification this long past its ask was not asked about: its job was lost. */
const OVERDUE_MS = 60_000;

/** Re-adds the asks of waiting verifications well past their time (Redis lost the delayed job). */
export async function requeueOverdueAsks(deps: Pick<AppDeps, 'db' | 'jobs' | 'now'>, limit = 200): Promise<number> {
  const { rows } = await deps.db.query<{ id: string; resume_at: Date }>(
    `SELECT id, resume_at FROM verifications WHERE resume_at IS NOT NULL AND resume_at < $1 ORDER BY resume_at LIMIT $2`,
    [new Date(deps.now().getTime() - OVERDUE_MS), limit],
  );
  for (const r of rows) {
    await deps.jobs.addAgain(QUEUES.verifications, 'run-verification', { verificationId: r.id }, askJobId(r.id, r.resume_at));
  }
  return rows.length;
}
