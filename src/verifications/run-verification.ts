import type { Check } from '../../adapters/types';
import { AppError } from '../errors/app-error';
import { errorCatalog } from '../errors/catalog';
import { runChain, type ChainOutcome, type ClassifiedAttempt } from '../gateway/failover';
import { inhouseEngine } from '../gateway/inhouse-engine';
import { tryCandidate } from '../gateway/invoke';
import type { VendorId } from '../gateway/providers';
import { findRoutingPolicy } from '../gateway/routing-policies-repo';
import { effectivePolicy, orgCandidates } from '../gateway/routing-policy';
import type { AppDeps, Caller } from '../http/context';
import { newId } from '../ids';
import { insertLedgerEntry } from '../ledger/ledger-repo';
import {
  attemptsOf,
  completeVerification,
  findInterrupted,
  insertAttempt,
  insertVerification,
  type Completion,
} from './verifications-repo';

export interface VerificationRequest {
  customerId: string;
  check: Check;
  /** As sent, checked against the check's input shapes (CHECK_INPUTS); each provider reads it with its own. */
  input: unknown;
  /** A pinned provider, or undefined for `auto`. */
  provider?: VendorId;
  /** The POST's Idempotency-Key and request hash, when it carried a key. */
  idempotency?: { key: string; requestHash: string };
}

export interface VerificationRun {
  verificationId: string;
  chain: ChainOutcome;
  /** What the verification row becomes once the answer is stored. */
  completion: Completion;
}

/**
 * Records the verification, walks its candidates (each attempt and its ledger row committed as it
 * completes), and says how it ended. The caller stores the ending together with the idempotent reply.
 */
export async function runVerification(deps: AppDeps, caller: Caller, request: VerificationRequest): Promise<VerificationRun> {
  const sandbox = caller.mode === 'test';
  const { verificationId, previous } = await startOrResume(deps, caller, request);

  const record = (attempt: ClassifiedAttempt) =>
    deps.db.transaction(async (tx) => {
      await insertAttempt(tx, caller.orgId, attempt);
      await insertLedgerEntry(tx, {
        attemptId: attempt.id,
        orgId: caller.orgId,
        keyId: caller.keyId,
        customerId: request.customerId,
        verificationId,
        check: request.check,
        provider: attempt.provider,
        operation: attempt.operation,
        upstreamRequestId: attempt.upstream.requestId,
        suiteCode: attempt.suiteCode,
        charged: attempt.charged,
        unitPrice: deps.gateway.pricing.unitPrice(attempt.provider, attempt.operation),
        currency: deps.gateway.pricing.currency,
        sandbox,
      });
    });

  const invokeDeps = { ...deps.gateway, errorMap: deps.errorMap, providers: deps.providers, logger: deps.logger };
  const stored = await findRoutingPolicy(deps.db, caller.orgId);
  const policy = effectivePolicy(deps.gateway.routing, stored?.policy ?? null);
  const call = {
    check: request.check,
    mode: caller.mode,
    input: request.input,
    meta: { customerId: request.customerId, verificationId, now: deps.now() },
    record,
    engine: inhouseEngine(deps, caller),
  };
  let chain: ChainOutcome;
  try {
    const { candidates, excluded } = orgCandidates(policy, request.check, request.input, request.provider, deps.gateway.random);
    chain = await runChain(candidates, (candidate) => tryCandidate(invokeDeps, candidate, call), policy, previous);
    chain.skipped.push(...excluded);
  } catch (err) {
    // An adapter refused the input before calling (or a fault of ours): the row must not stay `processing`.
    const errorCode = err instanceof AppError ? err.code : 'internal_error';
    await completeVerification(deps.db, verificationId, {
      status: 'error',
      provider: null,
      resultCode: null,
      result: null,
      errorCode,
      skipped: [],
      completedAt: deps.now(),
    });
    deps.gateway.metrics.verifications.inc({ check: request.check, status: 'error' });
    throw err;
  }
  const completion = completionOf(chain, deps.now());
  countOutcome(deps, request.check, chain, previous.length, completion.status);
  return { verificationId, chain, completion };
}

/** Failovers made by this run (attempts after the first, not counting those a resumed run inherited) and the outcome. */
function countOutcome(deps: AppDeps, check: Check, chain: ChainOutcome, inherited: number, status: string): void {
  const m = deps.gateway.metrics;
  chain.attempts.forEach((a, i) => {
    const before = chain.attempts[i - 1];
    if (i >= Math.max(1, inherited) && before) m.failovers.inc({ check, from: before.provider, to: a.provider });
  });
  m.verifications.inc({ check, status });
}

/**
 * A new verification, or the one an interrupted run with the same Idempotency-Key and request left
 * `processing`, with the attempts it recorded: those calls were made (and maybe paid), so they count.
 */
async function startOrResume(
  deps: AppDeps,
  caller: Caller,
  request: VerificationRequest,
): Promise<{ verificationId: string; previous: ClassifiedAttempt[] }> {
  const k = request.idempotency;
  const interrupted = k ? await findInterrupted(deps.db, caller.orgId, k.key, k.requestHash) : null;
  if (interrupted) return { verificationId: interrupted, previous: await attemptsOf(deps.db, [interrupted]) };
  const verificationId = newId('ver');
  await insertVerification(deps.db, {
    id: verificationId,
    orgId: caller.orgId,
    keyId: caller.keyId,
    customerId: request.customerId,
    check: request.check,
    mode: 'sync',
    requestedProvider: request.provider ?? 'auto',
    sandbox: caller.mode === 'test',
    idempotency: k,
  });
  return { verificationId, previous: [] };
}

function completionOf(chain: ChainOutcome, now: Date): Completion {
  const skipped = chain.skipped.map(({ provider, reason }) => ({ provider, reason }));
  const answer = chain.answer;
  if (answer) {
    const status = errorCatalog().result(answer.suiteCode)?.verificationStatus ?? 'requires_review';
    return {
      status,
      provider: answer.provider,
      resultCode: answer.suiteCode,
      result: answer.data ?? null,
      errorCode: null,
      skipped,
      completedAt: now,
    };
  }
  return { status: 'error', provider: null, resultCode: null, result: null, errorCode: failureCode(chain), skipped, completedAt: now };
}

/** The code of the last attempt, else of the first skip: the most telling reason nobody answered. */
const failureCode = (chain: ChainOutcome) => chain.attempts.at(-1)?.suiteCode ?? chain.skipped[0]?.suiteCode ?? 'provider_unavailable';

/** The overall charge of a verification: charged if any attempt was, unknown if any may have been. */
export function overallCharge(attempts: readonly { charged: string }[]): 'charged' | 'free' | 'unknown' {
  if (attempts.some((a) => a.charged === 'charged')) return 'charged';
  return attempts.some((a) => a.charged === 'unknown') ? 'unknown' : 'free';
}

/** The error when no provider answered: the suite model, with every provider's reason in the details. */
export function chainError(run: VerificationRun, presentAttempt: (a: ClassifiedAttempt) => unknown): AppError {
  const { chain, completion } = run;
  const last = chain.attempts.at(-1);
  const provider = last?.provider ?? chain.skipped[0]?.provider;
  return new AppError(completion.errorCode as string, {
    params: {
      provider: provider ?? 'none',
      resource: `${provider ?? 'provider'} resource`,
      detail: `${provider ?? 'no provider'} could not accept the request`,
    },
    provider,
    charged: overallCharge(chain.attempts),
    upstream: last && upstreamOf(last),
    headers: { 'Verigate-Attempts': String(chain.attempts.length) },
    details: {
      verification: run.verificationId,
      attempts: chain.attempts.map(presentAttempt),
      reasons: [
        ...chain.attempts.map((a) => ({ provider: a.provider, outcome: 'attempted', reason: a.suiteCode })),
        ...chain.skipped.map((s) => ({ provider: s.provider, outcome: 'skipped', reason: s.reason })),
      ],
    },
  });
}

/** What the vendor said, when it said anything (a timeout has no status, code or request id). */
function upstreamOf(a: ClassifiedAttempt) {
  const { status, code, requestId } = a.upstream;
  if (status === null && code === null && requestId === null) return undefined;
  return { status: status ?? undefined, code: code ?? undefined, requestId: requestId ?? undefined };
}
