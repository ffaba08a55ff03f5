import type { Check, ProviderId } from '../../adapters/types';
import type { AppDeps, Caller } from '../deps';
import { isAppError } from '../errors/app-error';
import { deleteSealedInput, endUnrun, sealedInputOf, takeAccepted } from './async-repo';
import { runVerification } from './run-verification';
import { announceEvents } from '../webhooks/announce';
import { recordEvent } from '../webhooks/events-repo';
import { verificationEvent } from './verification-events';
import { parkOrEnd, scheduleAsk } from './flow-waits';

/** The run of an accepted verification is held by a live run (its lease not out yet): the job tries again later. */
export class HeldByAnotherRun extends Error {}

export interface QueuedRunResult {
  verificationId: string;
  /** `ran`: this job ran it to its end; `ended`: it had already ended (a job run again, or the sweep settled it). */
  outcome: 'ran' | 'ended' | 'missing';
  status?: string;
}

/**
 * Runs an accepted asynchronous verification in a worker, with the same use case as a sync one: the calls
 * a dead worker left in flight are settled as interrupted (never made again) and the chain goes on from the
 * recorded attempts; the completion, the input's deletion and the reply commit together. A vendor flow that
 * waits on the person keeps its input and is run again later by a delayed job (flow-waits.ts). A chain that
 * nobody answered still ends the verification (`error`): that is its answer, not a job failure to retry.
 */
export async function runQueuedVerification(deps: AppDeps, verificationId: string): Promise<QueuedRunResult> {
  const now = deps.now();
  const lease = new Date(now.getTime() + deps.config.verifications.leaseSeconds * 1000);
  const took = await deps.db.transaction((tx) => takeAccepted(tx, verificationId, now, lease));
  if (!took.taken) {
    if (!took.exists) return { verificationId, outcome: 'missing' };
    if (took.ended) {
      await deps.db.transaction((tx) => deleteSealedInput(tx, verificationId));
      return { verificationId, outcome: 'ended' };
    }
    throw new HeldByAnotherRun(`verification ${verificationId} is held by a live run`);
  }
  const accepted = took.taken;
  const sealed = await sealedInputOf(deps.db, verificationId);
  if (!sealed) throw new Error(`verification ${verificationId} has no input to run with`);
  const caller: Caller = { orgId: accepted.orgId, keyId: accepted.keyId, keyMode: accepted.sandbox ? 'test' : 'live', scopes: [] };
  const request = {
    customerId: accepted.customerId,
    check: accepted.check as Check,
    input: JSON.parse(deps.keys.unseal(sealed)) as unknown,
    provider: accepted.requestedProvider === 'auto' ? undefined : (accepted.requestedProvider as ProviderId),
    accepted,
  };
  try {
    let parked: Awaited<ReturnType<typeof parkOrEnd>> = {};
    const { verification } = await runVerification(deps, caller, request, {
      commit: (work) =>
        deps.db.transaction(async (tx) => {
          const value = await work(tx);
          // The input goes with the answer; a flow waiting on the person keeps it for its next ask.
          parked = await parkOrEnd(tx, deps, value.verification, value.attempts);
          return value;
        }),
    });
    if (parked.resumeAt) await scheduleAsk(deps, verificationId, parked.resumeAt);
    if (parked.expired) {
      await announceEvents(deps, [parked.expired.eventId]);
      return { verificationId, outcome: 'ran', status: parked.expired.verification.status };
    }
    return { verificationId, outcome: 'ran', status: verification.status };
  } catch (err) {
    // Nobody answered, or the input was refused: the verification ended as `error`, its answer for the integrator.
    if (!isAppError(err)) throw err;
    const eventId = await deps.db.transaction(async (tx) => {
      await deleteSealedInput(tx, verificationId);
      // Refused before any call (its customer gone): ended here. A chain nobody answered was ended by the run.
      const ended = await endUnrun(tx, verificationId, err.code, deps.now());
      return ended && recordEvent(tx, verificationEvent('verification.completed', ended, { ...ended }));
    });
    if (eventId) await announceEvents(deps, [eventId]);
    return { verificationId, outcome: 'ran', status: 'error' };
  }
}
