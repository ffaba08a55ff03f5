import type { InhouseEngine } from '../../adapters/inhouse';
import type { AdapterOutcome, Check, OperationMeta, ProviderId } from '../../adapters/types';
import { isAppError } from '../errors/app-error';
import { newId } from '../ids';
import type { Logger } from '../logger';
import type { KeyMode } from '../tenancy/key-mode';
import type { AccountHealth } from './account-health';
import type { Attempt } from './attempt';
import type { Breakers } from './breakers';
import type { ProviderDrains } from './drains';
import { resolveCharge, type Classification, type ErrorMap } from './error-map';
import type { CandidateOutcome } from './failover';
import type { GatewayMetrics } from './metrics';
import type { ProviderStats } from './provider-stats';
import { callContext, type ProvidersConfig } from './providers';
import type { Registry } from './registry';
import type { Candidate } from './routing';

export interface InvokeDeps {
  registry: Registry;
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
  meta: OperationMeta;
  /** Persists the attempt (and its ledger row) before the chain moves on, so a crash loses no call. */
  record(attempt: Attempt): Promise<void>;
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
  const prepared = deps.registry.operation(provider, operation)?.prepare(call.input);
  if (!prepared) throw new Error(`no operation ${provider}.${operation} is declared`);
  if (!prepared.ok) return skipped(provider, 'input_not_accepted', 'invalid_request');
  if (await deps.drains.drainOf(provider)) return skipped(provider, 'drained', 'provider_unavailable');
  const cooldown = await deps.accountHealth.cooldownOf(call.keyMode, provider);
  if (cooldown) return skipped(provider, `account_${cooldown.state}`, cooldown.suiteCode);

  let ctx;
  try {
    ctx = callContext(deps.providers, provider, call.keyMode, deps.env);
  } catch (err) {
    if (isAppError(err) && err.code === 'provider_not_configured') return skipped(provider, 'provider_not_configured', err.code);
    throw err;
  }

  const guarded = await deps.breakers.run(
    call.keyMode,
    provider,
    async () => {
      const inProcess = deps.registry.adapter(provider).transport === 'in_process' ? { engine: call.engine } : {};
      const outcome = await prepared.call({ ...ctx, ...inProcess, signal: AbortSignal.timeout(ctx.timeoutMs) }, call.meta);
      return { outcome, classification: deps.errorMap.classify(provider, operation, outcome.facts) };
    },
    ({ outcome, classification }) => classification.row.breaker || outcome.facts.transport !== undefined,
  );
  if (!guarded.ran) return skipped(provider, guarded.reason, 'provider_unavailable');

  const { outcome, classification } = guarded.value;
  await noteHealth(deps, call.keyMode, provider, operation, classification, outcome);
  const attempt = toAttempt(call.meta.verificationId, candidate, outcome, classification);
  await call.record(attempt);
  await observe(deps, call.keyMode, attempt, classification.row.breaker || outcome.facts.transport !== undefined);
  return { tried: true, attempt };
}

/** Metrics and the shared recent figures; a Redis hiccup here must not fail a call that was made and booked. */
async function observe(deps: InvokeDeps, keyMode: KeyMode, a: Attempt, healthFailure: boolean): Promise<void> {
  const labels = { provider: a.provider, operation: a.operation };
  deps.metrics.upstreamLatency.observe({ ...labels, outcome: a.kind, code: a.suiteCode }, a.latencyMs / 1000);
  deps.metrics.charges.inc({ ...labels, charged: a.charged });
  await deps.stats.record(keyMode, a.provider, a.latencyMs, healthFailure).catch((err: Error) => {
    deps.logger.warn({ err: err.message, provider: a.provider }, 'recent provider stats not recorded');
  });
}

const skipped = (provider: ProviderId, reason: string, suiteCode: string): CandidateOutcome => ({
  tried: false,
  skip: { provider, reason, suiteCode },
});

function toAttempt(verificationId: string, c: Candidate, outcome: AdapterOutcome, { row }: Classification): Attempt {
  const f = outcome.facts;
  return {
    id: newId('att'),
    verificationId,
    provider: c.provider,
    operation: c.operation,
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

/** Account-health rows cool the provider down and alert; unmapped answers are logged for a table update. */
async function noteHealth(
  deps: InvokeDeps,
  keyMode: KeyMode,
  provider: ProviderId,
  operation: string,
  c: Classification,
  outcome: AdapterOutcome,
) {
  if (c.row.accountHealth)
    await deps.accountHealth.coolDown(keyMode, provider, c.row, deps.breakers.settingsOf(provider).accountCooldownMs);
  if (c.unmapped) {
    // Only the shape of the answer: vendor messages may echo input.
    const { httpStatus, code, result, transport } = outcome.facts;
    deps.logger.warn({ provider, operation, httpStatus, code, result, transport }, 'unmapped upstream answer');
  }
}
