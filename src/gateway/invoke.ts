import type { InhouseEngine } from '../../adapters/inhouse';
import type { AdapterOutcome, Check, OperationMeta, PreparedCall, ProviderId } from '../../adapters/types';
import type { Redis } from 'ioredis';
import { isAppError } from '../errors/app-error';
import { newId } from '../ids';
import type { Logger } from '../logger';
import type { KeyMode } from '../tenancy/key-mode';
import type { AccountHealth } from './account-health';
import type { Attempt, PendingAttempt } from './attempt';
import type { Breakers } from './breakers';
import type { ProviderDrains } from './drains';
import { resolveCharge, type Classification, type ErrorMap } from './error-map';
import type { CandidateOutcome } from './failover';
import type { GatewayMetrics } from './metrics';
import type { ProviderStats } from './provider-stats';
import { blockedNow } from './provider-gates';
import { callContext, type ProvidersConfig } from './providers';
import type { Registry } from './registry';
import type { Candidate } from './routing';

export interface InvokeDeps {
  registry: Registry;
  /** The fail-fast connection that drains, cooldowns and stats are read and written on. */
  redis: Redis;
  errorMap: ErrorMap;
  providers: ProvidersConfig;
  breakers: Breakers;
  accountHealth: AccountHealth;
  drains: ProviderDrains;
  stats: ProviderStats;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Where live credentials are read from. */
  env?: NodeJS.ProcessEnv;
}

export interface Invocation {
  check: Check;
  keyMode: KeyMode;
  /** The verification's input; the candidate's operation reads it with its own schema. */
  input: unknown;
  /** The input as each provider's operation already read it (registry.prepare), so it is parsed once. */
  prepared?: ReadonlyMap<ProviderId, PreparedCall | null>;
  meta: OperationMeta;
  /**
   * Records the call before it is made (its attempt in flight, its ledger row `unknown`), so no call is ever
   * made unrecorded; called once the breaker admitted the call.
   */
  writeAhead(pending: PendingAttempt): Promise<void>;
  /** The call's answer, to be written with the verification's next write. */
  settle(attempt: Attempt): void;
  /** The adapter refused the input before anything was sent: the write-ahead is withdrawn. */
  withdraw(pending: PendingAttempt): Promise<void>;
  /** The in-house engine bound to this verification's org and key: what `in_process` providers are called through. */
  engine?: InhouseEngine;
}

/**
 * The only path that calls an adapter: skips a provider drained by ops, in cooldown, without
 * credentials or behind an open breaker; otherwise calls it under its breaker with a per-call
 * AbortSignal and classifies the answer with the mapping table. Metrics and recent stats are recorded
 * here too, so every call and skip is counted exactly once.
 */
export async function tryCandidate(deps: InvokeDeps, candidate: Candidate, call: Invocation): Promise<CandidateOutcome> {
  const outcome = await callCandidate(deps, candidate, call);
  if (!outcome.tried) deps.metrics.skips.inc({ provider: candidate.provider, reason: outcome.skip.reason });
  return outcome;
}

async function callCandidate(deps: InvokeDeps, candidate: Candidate, call: Invocation): Promise<CandidateOutcome> {
  const { provider, operation } = candidate;
  // Each operation reads the input with its own schema; routing hands over only providers whose shape it has.
  const prepared = call.prepared?.get(provider) ?? deps.registry.operation(provider, operation)?.prepare(call.input);
  if (!prepared) throw new Error(`no operation ${provider}.${operation} is declared`);
  if (!prepared.ok) return skipped(provider, 'input_not_accepted', 'invalid_request');
  const blocked = await blockedNow(deps, call.keyMode, provider);
  if (blocked) return { tried: false, skip: blocked };

  let ctx;
  try {
    ctx = callContext(deps.providers, provider, call.keyMode, deps.env);
  } catch (err) {
    if (isAppError(err) && err.code === 'provider_not_configured') return skipped(provider, 'provider_not_configured', err.code);
    throw err;
  }

  const pending: PendingAttempt = { id: newId('att'), verificationId: call.meta.verificationId, provider, operation };
  const inProcess = deps.registry.adapter(provider).transport === 'in_process' ? { engine: call.engine } : {};
  const guarded = await deps.breakers.run(
    call.keyMode,
    provider,
    async () => {
      // Inside the breaker: only a call the breaker admits is written ahead, and then it is made.
      await call.writeAhead(pending);
      let outcome: AdapterOutcome;
      try {
        outcome = await prepared.call({ ...ctx, ...inProcess, signal: AbortSignal.timeout(ctx.timeoutMs) }, call.meta);
      } catch (err) {
        // Adapters throw only for input the vendor would refuse, before sending anything: no call was made.
        if (isAppError(err)) await call.withdraw(pending);
        throw err;
      }
      return { outcome, classification: deps.errorMap.classify(provider, operation, outcome.facts) };
    },
    ({ outcome, classification }) => classification.row.breaker || outcome.facts.transport !== undefined,
  );
  if (!guarded.ran) return skipped(provider, guarded.reason, 'provider_unavailable');

  const { outcome, classification } = guarded.value;
  const attempt = toAttempt(pending, outcome, classification);
  call.settle(attempt);
  // After the call nothing may throw: the answer is held for the next write whatever Redis does.
  await noteHealth(deps, call.keyMode, provider, operation, classification, outcome);
  observe(deps, call.keyMode, attempt, classification.row.breaker || outcome.facts.transport !== undefined);
  return { tried: true, attempt };
}

/** Metrics, and the shared recent figures (written in batches, never waited for). */
function observe(deps: InvokeDeps, keyMode: KeyMode, a: Attempt, healthFailure: boolean): void {
  const labels = { provider: a.provider, operation: a.operation };
  deps.metrics.upstreamLatency.observe({ ...labels, outcome: a.kind, code: a.suiteCode }, a.latencyMs / 1000);
  deps.metrics.charges.inc({ ...labels, charged: a.charged });
  deps.stats.record(keyMode, a.provider, a.latencyMs, healthFailure);
}

const skipped = (provider: ProviderId, reason: string, suiteCode: string): CandidateOutcome => ({
  tried: false,
  skip: { provider, reason, suiteCode },
});

/** A call written ahead whose answer was lost (its process died): settled as the `interrupted` transport fact says. */
export function interruptedAttempt(errorMap: ErrorMap, pending: PendingAttempt): Attempt {
  const outcome: AdapterOutcome = { facts: { transport: 'interrupted' }, latencyMs: 0 };
  return toAttempt(pending, outcome, errorMap.classify(pending.provider, pending.operation, outcome.facts));
}

function toAttempt(pending: PendingAttempt, outcome: AdapterOutcome, { row }: Classification): Attempt {
  const f = outcome.facts;
  return {
    ...pending,
    kind: row.kind,
    suiteCode: row.suiteCode,
    upstream: {
      status: f.httpStatus ?? null,
      code: f.result ?? f.code ?? null,
      transport: f.transport ?? null,
      requestId: f.requestId ?? null,
    },
    // The org's plan with a vendor is not modelled yet: a plan-dependent row resolves to unknown.
    charged: resolveCharge(row),
    final: row.final,
    failover: row.failover,
    data: outcome.data,
    latencyMs: outcome.latencyMs,
  };
}

/**
 * Account-health rows cool the provider down and alert (awaited, so the next verification already skips
 * it; a Redis failure is logged, never thrown after a call was made); unmapped answers are logged for a
 * table update.
 */
async function noteHealth(
  deps: InvokeDeps,
  keyMode: KeyMode,
  provider: ProviderId,
  operation: string,
  c: Classification,
  outcome: AdapterOutcome,
): Promise<void> {
  if (c.row.accountHealth) {
    const ms = deps.breakers.settingsOf(provider).accountCooldownMs;
    await deps.accountHealth.coolDown(keyMode, provider, c.row, ms).catch((err: Error) => {
      deps.logger.error({ err: err.message, provider, alert: 'provider_account_health' }, 'provider cooldown not recorded');
    });
  }
  if (c.unmapped) {
    // Only the shape of the answer: vendor messages may echo input.
    const { httpStatus, code, result, transport } = outcome.facts;
    deps.logger.warn({ provider, operation, httpStatus, code, result, transport }, 'unmapped upstream answer');
  }
}
