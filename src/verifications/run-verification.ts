import type { Check, ProviderId } from '../../adapters/types';
import { requireCustomer } from '../customers/require-customer';
import type { AppDeps, Caller } from '../deps';
import { AppError, type Charge } from '../errors/app-error';
import { errorCatalog } from '../errors/catalog';
import type { Attempt } from '../gateway/attempt';
import { runChain, type ChainOutcome } from '../gateway/failover';
import { inhouseEngine } from '../gateway/inhouse-engine';
import { tryCandidate } from '../gateway/invoke';
import { findRoutingPolicy } from '../gateway/routing-policies-repo';
import { effectivePolicy, orgCandidates } from '../gateway/routing-policy';
import type { Candidate } from '../gateway/routing';
import { newId } from '../ids';
import { insertLedgerEntry } from '../ledger/ledger-repo';
import type { Commit } from '../store/db';
import { presentAttempt } from './present';
import {
  attemptsOf,
  completeVerification,
  findInterrupted,
  insertAttempt,
  insertVerification,
  type Completion,
  type Verification,
} from './verifications-repo';

export interface VerificationRequest {
  customerId: string;
  check: Check;
  /** Validated against the check's input shapes (the registry's inputIssues); each provider reads it with its own. */
  input: unknown;
  /** A pinned provider, or undefined for `auto`. */
  provider?: ProviderId;
  /** The Idempotency-Key and request hash it came with, if any: a retry resumes the run it interrupted. */
  idempotency?: { key: string; requestHash: string };
}

/** A finished verification as stored, with every attempt made for it in order. */
export interface VerificationResult {
  verification: Verification;
  attempts: Attempt[];
}

/** The providers were called: what the chain did, and what the verification becomes once it is completed. */
export interface CalledVerification {
  verificationId: string;
  chain: ChainOutcome;
  completion: Completion;
}

/**
 * One verification, start to end: checks the customer, records the verification, routes it by the org's
 * policy, calls the candidates (each attempt and its ledger row committed as it completes) and completes
 * it through `commit`, returning it as stored. When no provider answered, the verification is completed
 * as `error` and the chain's error thrown. Needs no request: a route or a worker runs it.
 */
export async function runVerification(
  deps: AppDeps,
  caller: Caller,
  request: VerificationRequest,
  commit: Commit<VerificationResult> = (work) => deps.db.transaction(work),
): Promise<VerificationResult> {
  const called = await callProviders(deps, caller, request);
  await refuseUnanswered(deps, called);
  return commit(async (tx) => ({
    verification: await completeVerification(tx, called.verificationId, called.completion),
    attempts: called.chain.attempts,
  }));
}

/**
 * The first half of a verification, for use cases that add writes to its completion (Dukcapil enrolls the
 * registry's photo): checks the customer, records the verification (or resumes the one an interrupted run
 * with the same Idempotency-Key left `processing`) and calls its candidates. Nothing is completed yet,
 * unless an adapter refused the input or something of ours failed: then it is completed as `error`.
 */
export async function callProviders(deps: AppDeps, caller: Caller, request: VerificationRequest): Promise<CalledVerification> {
  await requireCustomer(deps.db, caller.orgId, request.customerId);
  const { verificationId, previous } = await startOrResume(deps, caller, request);
  const call = {
    check: request.check,
    keyMode: caller.keyMode,
    input: request.input,
    meta: { customerId: request.customerId, verificationId, now: deps.now() },
    record: (attempt: Attempt) => recordAttempt(deps, caller, request, attempt),
    engine: inhouseEngine(deps, caller),
  };
  const invokeDeps = { ...deps.gateway, errorMap: deps.errorMap, providers: deps.providers, logger: deps.logger };
  const stored = await findRoutingPolicy(deps.db, caller.orgId);
  const policy = effectivePolicy(deps.gateway.routing, stored?.policy ?? null);
  let chain: ChainOutcome;
  try {
    const { candidates, excluded } = orgCandidates(
      deps.gateway.registry,
      policy,
      request.check,
      request.input,
      request.provider,
      deps.gateway.random,
    );
    const { registry } = deps.gateway;
    const standsIn = (c: Candidate) => registry.operation(c.provider, c.operation)?.fallbackOnly === true;
    chain = await runChain(candidates, (candidate) => tryCandidate(invokeDeps, candidate, call), policy, previous, standsIn);
    chain.skipped.push(...excluded);
  } catch (err) {
    // An adapter refused the input before calling (or a fault of ours): the row must not stay `processing`.
    const errorCode = err instanceof AppError ? err.code : 'internal_error';
    await completeVerification(deps.db, verificationId, unanswered(errorCode, [], deps.now()));
    deps.gateway.metrics.verifications.inc({ check: request.check, status: 'error' });
    throw err;
  }
  const completion = completionOf(chain, deps.now());
  countOutcome(deps, request.check, chain, previous.length, completion.status);
  return { verificationId, chain, completion };
}

/** When no provider answered: completes the verification as `error` and throws the chain's error. */
export async function refuseUnanswered(deps: AppDeps, called: CalledVerification): Promise<void> {
  if (called.chain.answer) return;
  await completeVerification(deps.db, called.verificationId, called.completion);
  throw chainError(called);
}

/** Every upstream call is booked with its attempt, in one transaction, before the chain moves on. */
function recordAttempt(deps: AppDeps, caller: Caller, request: VerificationRequest, attempt: Attempt): Promise<void> {
  return deps.db.transaction(async (tx) => {
    await insertAttempt(tx, caller.orgId, attempt);
    await insertLedgerEntry(tx, {
      attemptId: attempt.id,
      orgId: caller.orgId,
      keyId: caller.keyId,
      customerId: request.customerId,
      verificationId: attempt.verificationId,
      check: request.check,
      provider: attempt.provider,
      operation: attempt.operation,
      upstreamRequestId: attempt.upstream.requestId,
      suiteCode: attempt.suiteCode,
      charged: attempt.charged,
      unitPrice: deps.gateway.pricing.unitPrice(attempt.provider, attempt.operation),
      currency: deps.gateway.pricing.currency,
      sandbox: caller.keyMode === 'test',
    });
  });
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
): Promise<{ verificationId: string; previous: Attempt[] }> {
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
    sandbox: caller.keyMode === 'test',
    idempotency: k,
  });
  return { verificationId, previous: [] };
}

const unanswered = (errorCode: string, skipped: Completion['skipped'], now: Date): Completion => ({
  status: 'error',
  provider: null,
  resultCode: null,
  result: null,
  errorCode,
  skipped,
  completedAt: now,
});

function completionOf(chain: ChainOutcome, now: Date): Completion {
  const skipped = chain.skipped.map(({ provider, reason }) => ({ provider, reason }));
  const answer = chain.answer;
  if (!answer) return unanswered(failureCode(chain), skipped, now);
  return {
    status: errorCatalog().result(answer.suiteCode)?.verificationStatus ?? 'requires_review',
    provider: answer.provider,
    resultCode: answer.suiteCode,
    result: answer.data ?? null,
    errorCode: null,
    skipped,
    completedAt: now,
  };
}

/** The code of the last attempt, else of the first skip: the most telling reason nobody answered. */
const failureCode = (chain: ChainOutcome) => chain.attempts.at(-1)?.suiteCode ?? chain.skipped[0]?.suiteCode ?? 'provider_unavailable';

/** The overall charge of a verification: charged if any attempt was, unknown if any may have been. */
export function overallCharge(attempts: readonly { charged: Charge }[]): Charge {
  if (attempts.some((a) => a.charged === 'charged')) return 'charged';
  return attempts.some((a) => a.charged === 'unknown') ? 'unknown' : 'free';
}

/** The error when no provider answered: the suite model, with every provider's reason in the details. */
function chainError({ verificationId, chain, completion }: CalledVerification): AppError {
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
      verification: verificationId,
      attempts: chain.attempts.map(presentAttempt),
      reasons: [
        ...chain.attempts.map((a) => ({ provider: a.provider, outcome: 'attempted', reason: a.suiteCode })),
        ...chain.skipped.map((s) => ({ provider: s.provider, outcome: 'skipped', reason: s.reason })),
      ],
    },
  });
}

/** What the vendor said, when it said anything (a timeout has no status, code or request id). */
function upstreamOf(a: Attempt) {
  const { status, code, requestId } = a.upstream;
  if (status === null && code === null && requestId === null) return undefined;
  return { status: status ?? undefined, code: code ?? undefined, requestId: requestId ?? undefined };
}
