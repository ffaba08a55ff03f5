import type { InhouseEngine } from '../../adapters/inhouse';
import type { AdapterOutcome, Check } from '../../adapters/types';
import { isAppError } from '../errors/app-error';
import type { Logger } from '../logger';
import { newId } from '../ids';
import type { AccountHealth } from './account-health';
import type { Breakers, BreakersConfig } from './breakers';
import { ADAPTERS } from './capabilities';
import { providerInput } from './check-inputs';
import type { ProviderDrains } from './drains';
import { resolveCharge, type Classification, type ErrorMap } from './error-map';
import type { CandidateOutcome, ClassifiedAttempt } from './failover';
import type { GatewayMetrics } from './metrics';
import { OPERATIONS, type OperationMeta } from './operations';
import type { ProviderStats } from './provider-stats';
import { callContext, type ProvidersConfig, type VendorId } from './providers';
import type { Candidate } from './routing';

export interface InvokeDeps {
  errorMap: ErrorMap;
  providers: ProvidersConfig;
  breakers: Breakers;
  breakerSettings: BreakersConfig;
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
  mode: 'test' | 'live';
  input: unknown;
  meta: OperationMeta;
  /** Persists the attempt (and its ledger row) before the chain moves on, so a crash loses no call. */
  record(attempt: ClassifiedAttempt): Promise<void>;
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
  // Each provider reads the input with its own schema; routing hands over only providers whose shape it has.
  const input = providerInput(call.check, provider, call.input);
  if (!input) return skipped(provider, 'input_not_accepted', 'invalid_request');
  if (await deps.drains.drainOf(provider)) return skipped(provider, 'drained', 'provider_unavailable');
  const cooldown = await deps.accountHealth.cooldownOf(call.mode, provider);
  if (cooldown) return skipped(provider, `account_${cooldown.state}`, cooldown.suiteCode);

  let ctx;
  try {
    ctx = callContext(deps.providers, provider, call.mode, deps.env);
  } catch (err) {
    if (isAppError(err) && err.code === 'provider_not_configured') return skipped(provider, 'provider_not_configured', err.code);
    throw err;
  }
  const invoke = OPERATIONS[provider][operation];
  if (!invoke) throw new Error(`no adapter function for ${provider}.${operation}`);

  const guarded = await deps.breakers.run(
    call.mode,
    provider,
    async () => {
      const inProcess = ADAPTERS[provider].transport === 'in_process' ? { engine: call.engine } : {};
      const outcome = await invoke({ ...ctx, ...inProcess, signal: AbortSignal.timeout(ctx.timeoutMs) }, input.value, call.meta);
      return { outcome, classification: deps.errorMap.classify(provider, operation, outcome.facts) };
    },
    ({ outcome, classification }) => classification.row.breaker || outcome.facts.transport !== undefined,
  );
  if (!guarded.ran) return skipped(provider, guarded.reason, 'provider_unavailable');

  const { outcome, classification } = guarded.value;
  await noteHealth(deps, call.mode, provider, operation, classification, outcome);
  const attempt = toAttempt(call.meta.verificationId, candidate, outcome, classification);
  await call.record(attempt);
  await observe(deps, call.mode, attempt, classification.row.breaker || outcome.facts.transport !== undefined);
  return { tried: true, attempt };
}

/** Metrics and the shared recent figures; a Redis hiccup here must not fail a call that was made and booked. */
async function observe(deps: InvokeDeps, mode: string, a: ClassifiedAttempt, healthFailure: boolean): Promise<void> {
  const labels = { provider: a.provider, operation: a.operation };
  deps.metrics.upstreamLatency.observe({ ...labels, outcome: a.kind, code: a.suiteCode }, a.latencyMs / 1000);
  deps.metrics.charges.inc({ ...labels, charged: a.charged });
  await deps.stats.record(mode, a.provider as VendorId, a.latencyMs, healthFailure).catch((err: Error) => {
    deps.logger.warn({ err: err.message, provider: a.provider }, 'recent provider stats not recorded');
  });
}

const skipped = (provider: VendorId, reason: string, suiteCode: string): CandidateOutcome => ({
  tried: false,
  skip: { provider, reason, suiteCode },
});

function toAttempt(verificationId: string, c: Candidate, outcome: AdapterOutcome, { row }: Classification): ClassifiedAttempt {
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
  mode: 'test' | 'live',
  provider: VendorId,
  operation: string,
  c: Classification,
  outcome: AdapterOutcome,
) {
  if (c.row.accountHealth) await deps.accountHealth.coolDown(mode, provider, c.row, deps.breakerSettings[provider].accountCooldownMs);
  if (c.unmapped) {
    // Only the shape of the answer: vendor messages may echo input.
    const { httpStatus, code, result, transport } = outcome.facts;
    deps.logger.warn({ provider, operation, httpStatus, code, result, transport }, 'unmapped upstream answer');
  }
}
