import type { Check, PreparedCall, ProviderId } from '../../adapters/types';
import { knownCustomer } from '../customers/require-customer';
import type { AppDeps, Caller } from '../deps';
import { AppError, isAppError, type Charge } from '../errors/app-error';
import { errorCatalog } from '../errors/catalog';
import { invalidRequest } from '../errors/invalid-request';
import type { Attempt } from '../gateway/attempt';
import { runChain, type ChainOutcome } from '../gateway/failover';
import { flowServing, runFlow, type StepCall } from '../gateway/flow';
import { assertFetchableUrls } from '../gateway/fetched-urls';
import { inhouseEngine } from '../gateway/inhouse-engine';
import { tryCandidate, type Invocation } from '../gateway/invoke';
import type { Registry } from '../gateway/registry';
import { cachedRoutingPolicy } from '../gateway/routing-policies-repo';
import { effectivePolicy, orgCandidates, type EffectivePolicy } from '../gateway/routing-policy';
import type { Candidate } from '../gateway/routing';
import { newId } from '../ids';
import { presentAttempt } from './present';
import type { RequestRecord, UnitOfWork } from '../store/db';
import { Resumed, VerificationJournal } from './verification-journal';
import { attemptsOf, type Completion, type Verification } from './verifications-repo';

export interface VerificationRequest {
  customerId: string;
  check: Check;
  /** As sent; each provider's operation reads it with its own schema, once (readInput). */
  input: unknown;
  /** A pinned provider, or undefined for `auto`. */
  provider?: ProviderId;
  /** The Idempotency-Key and request hash it came with, if any: a retry resumes the run it interrupted. */
  idempotency?: { key: string; requestHash: string };
  /**
   * An asynchronous verification, written when it was accepted and now run by a worker: the run goes on from
   * what it recorded (nothing, or the calls of a worker that died: those in flight are settled as interrupted,
   * never made again).
   */
  accepted?: Verification;
}

/** A finished verification as stored, with every attempt made for it in order. */
export interface VerificationResult {
  verification: Verification;
  attempts: Attempt[];
}

/** A verification run: its journal, and what its chain of calls did. */
export interface CalledVerification {
  journal: VerificationJournal;
  chain: ChainOutcome;
  completion: Completion;
}

/**
 * One verification, start to end: reads the input (once, with each provider's own schema), checks the
 * customer, routes it by the org's policy, writes each call ahead of making it and its answer after
 * (VerificationJournal), and completes it in `uow.commit` with the caller's reply, returning it as stored.
 * When no provider answered, it is completed as `error` and the chain's error is thrown. A retry with the
 * same Idempotency-Key after a crash goes on from the calls already made and never repeats one. Needs no
 * request: a route or a worker runs it.
 */
export async function runVerification(
  deps: AppDeps,
  caller: Caller,
  request: VerificationRequest,
  uow: UnitOfWork<VerificationResult> = { commit: (work) => deps.db.transaction(work) },
): Promise<VerificationResult> {
  const called = await callProviders(deps, caller, request, uow);
  await refuseUnanswered(deps, called);
  const { journal, chain, completion } = called;
  return journal.finish(completion, uow, (verification) => ({ verification, attempts: chain.attempts }));
}

/**
 * The verification up to its last write, for use cases that add writes to it (Dukcapil enrolls the
 * registry's photo): everything runVerification does but the completion. A run already finished by an
 * earlier request with the same Idempotency-Key comes back with its chain rebuilt from what it recorded.
 */
export async function callProviders(
  deps: AppDeps,
  caller: Caller,
  request: VerificationRequest,
  uow: Pick<UnitOfWork<unknown>, 'begin'> & { record?: Pick<RequestRecord<unknown>, 'claim' | 'claimed'> } = {},
): Promise<CalledVerification> {
  const { registry } = deps.gateway;
  // A worker runs an accepted (asynchronous) verification; anything else is a request waiting for its answer.
  const reads = readInput(deps, request, !request.accepted);
  await assertFetchableUrls(reads, caller.keyMode);
  await knownCustomer(deps, caller.orgId, request.customerId);
  const stored = await cachedRoutingPolicy(deps.db, deps.caches, caller.orgId);
  const policy = effectivePolicy(deps.gateway.routing, stored?.policy ?? null);
  const { candidates, excluded } = orgCandidates(
    registry,
    policy,
    request.check,
    request.input,
    request.provider,
    deps.gateway.random,
    reads,
  );
  const journal = new VerificationJournal(deps, caller, request, newId('ver'), {
    begin: uow.begin,
    claim: uow.record?.claim,
    claimed: uow.record?.claimed,
  });
  const run = (previous: Attempt[]) => chainOf(deps, caller, request, journal, reads, candidates, policy, previous);

  let chain: ChainOutcome;
  let inherited = 0;
  try {
    try {
      if (request.accepted) throw new Resumed(await journal.takeOver(request.accepted));
      chain = await run([]);
      // No call was made: the run still writes (and claims its key) before it answers.
      if (!journal.started) await journal.open();
    } catch (err) {
      if (!(err instanceof Resumed)) throw err;
      journal.resume(err.verification);
      const previous = await attemptsOf(deps.db, [err.verification.id]);
      inherited = previous.length;
      // A run that already ended (the sweep settled it) only tells its ending again; an unfinished one goes on.
      if (err.verification.status !== 'processing') {
        chain = await chainOf(deps, caller, request, journal, reads, [], policy, previous);
        return { journal, chain, completion: completionOf(chain, err.verification.completedAt ?? deps.now()) };
      }
      chain = await run(previous);
    }
    chain.skipped.push(...excluded);
  } catch (err) {
    // Nothing written yet (a dependency down before any call, a stored reply to replay): nothing to end.
    if (!journal.started) throw err;
    // An adapter refused the input before calling, or a fault of ours: the row must not stay `processing`.
    await journal.abandon(unanswered(isAppError(err) ? err.code : 'internal_error', [], deps.now()));
    deps.gateway.metrics.verifications.inc({ check: request.check, status: 'error' });
    throw err;
  }
  const completion = completionOf(chain, deps.now());
  countOutcome(deps, request.check, chain, inherited, completion.status);
  return { journal, chain, completion };
}

/** When no provider answered: completes the verification as `error` and throws the chain's error. */
export async function refuseUnanswered(deps: AppDeps, called: CalledVerification): Promise<void> {
  if (called.chain.answer) return;
  await called.journal.abandon(called.completion);
  throw chainError(called);
}

/**
 * What a verification is refused for before anything is written: an input no provider (or not the pinned one)
 * takes, or a customer the org does not have. An asynchronous verification is checked so before it is accepted.
 */
export async function checkRequest(deps: AppDeps, caller: Caller, request: VerificationRequest): Promise<void> {
  readInput(deps, request, false);
  await knownCustomer(deps, caller.orgId, request.customerId);
}

/**
 * The verification's input as each provider serving the check reads it, once; a pinned provider that cannot
 * serve the check, or an input no provider (or not the pinned one) takes, is refused naming the field.
 */
function readInput(deps: AppDeps, request: VerificationRequest, sync: boolean): ReadonlyMap<ProviderId, PreparedCall | null> {
  const { registry } = deps.gateway;
  const { check, provider: pinned } = request;
  if (pinned && !registry.operationFor(pinned, check)) {
    throw new AppError('invalid_request', { params: { detail: `provider ${pinned} cannot serve check ${check}` }, param: 'provider' });
  }
  const serving = pinned ? [pinned] : registry.providersServing(check);
  if (sync && serving.length > 0 && serving.every((p) => flowServing(registry, check, p)?.asyncOnly)) {
    throw new AppError('invalid_request', {
      params: { detail: `check ${check} runs only asynchronously: send mode "async"` },
      param: 'mode',
    });
  }
  const reads = new Map(registry.providersServing(check).map((p) => [p, registry.prepare(check, p, request.input)] as const));
  const issues = registry.inputIssuesOf(pinned ? [reads.get(pinned) ?? null] : [...reads.values()], check, request.input);
  if (issues) throw invalidRequest(issues.map((i) => ({ ...i, path: ['input', ...i.path] })));
  return reads;
}

/** Walks the candidates (after `previous`, the calls an interrupted run made), each call through the journal. */
function chainOf(
  deps: AppDeps,
  caller: Caller,
  request: VerificationRequest,
  journal: VerificationJournal,
  reads: ReadonlyMap<ProviderId, PreparedCall | null>,
  candidates: Candidate[],
  policy: EffectivePolicy,
  previous: Attempt[],
): Promise<ChainOutcome> {
  const { registry } = deps.gateway;
  const call: Invocation = {
    check: request.check,
    keyMode: caller.keyMode,
    input: request.input,
    prepared: reads,
    meta: { customerId: request.customerId, verificationId: journal.verificationId, now: deps.now() },
    writeAhead: (pending) => journal.writeAhead(pending),
    settle: (attempt) => journal.settle(attempt),
    withdraw: (pending) => journal.withdraw(pending),
    engine: inhouseEngine(deps, caller),
  };
  const invokeDeps = { ...deps.gateway, errorMap: deps.errorMap, providers: deps.providers, logger: deps.logger };
  const flowing = flowServing(registry, request.check, candidates[0]?.provider ?? previous[0]?.provider);
  if (flowing) {
    const step: StepCall = (candidate, input) => tryCandidate(invokeDeps, candidate, { ...call, input, prepared: undefined });
    return runFlow(flowing, candidates[0]?.provider, request.input, previous, step, statusOf);
  }
  const standsIn = (c: Candidate) => registry.operation(c.provider, c.operation)?.fallbackOnly === true;
  return runChain(candidates, (candidate) => tryCandidate(invokeDeps, candidate, call), policy, previous, standsIn);
}

/**
 * How a verification's recorded calls end it when nothing more will be called (its run died and nobody goes
 * on): a chain's failover rules, or its flow's steps.
 */
export function replayRecorded(registry: Registry, check: Check, attempts: Attempt[]): Promise<ChainOutcome> {
  const nothing = () => Promise.reject(new Error('nothing is called'));
  const flowing = flowServing(registry, check, attempts[0]?.provider);
  if (flowing) return runFlow(flowing, undefined, undefined, attempts, nothing, statusOf);
  return runChain([], nothing, { allowFailoverAfterUnknown: false }, attempts);
}

/** The verification status a step's verdict stands for (what decides whether its flow goes on, waits or ends). */
export const statusOf = (attempt: Attempt) => errorCatalog().result(attempt.suiteCode)?.verificationStatus;

/** Failovers made by this run (attempts after the first, not counting those a resumed run inherited) and the outcome. */
function countOutcome(deps: AppDeps, check: Check, chain: ChainOutcome, inherited: number, status: string): void {
  const m = deps.gateway.metrics;
  chain.attempts.forEach((a, i) => {
    const before = chain.attempts[i - 1];
    // A flow's next step at the same provider is no failover.
    if (i >= Math.max(1, inherited) && before && before.provider !== a.provider)
      m.failovers.inc({ check, from: before.provider, to: a.provider });
  });
  m.verifications.inc({ check, status });
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

/** How a chain ends its verification: the answer's verdict, or `error` with the most telling reason nobody answered. */
export function completionOf(chain: ChainOutcome, now: Date): Completion {
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
function chainError({ journal, chain, completion }: CalledVerification): AppError {
  const verificationId = journal.verificationId;
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
