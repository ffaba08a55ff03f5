import type { AdapterOutcome, Check } from '../../adapters/types';
import { isAppError } from '../errors/app-error';
import type { Logger } from '../logger';
import { newId } from '../ids';
import type { AccountHealth } from './account-health';
import type { Breakers, BreakersConfig } from './breakers';
import { resolveCharge, type Classification, type ErrorMap } from './error-map';
import type { CandidateOutcome, ClassifiedAttempt } from './failover';
import { OPERATIONS, type OperationMeta } from './operations';
import { callContext, type ProvidersConfig, type VendorId } from './providers';
import type { Candidate } from './routing';

export interface InvokeDeps {
  errorMap: ErrorMap;
  providers: ProvidersConfig;
  breakers: Breakers;
  breakerSettings: BreakersConfig;
  accountHealth: AccountHealth;
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
}

/**
 * The only path that calls an adapter: skips a provider in cooldown, without credentials or behind an
 * open breaker; otherwise calls it under its breaker with a per-call AbortSignal and classifies the
 * answer with the mapping table.
 */
export async function tryCandidate(deps: InvokeDeps, candidate: Candidate, call: Invocation): Promise<CandidateOutcome> {
  const { provider, operation } = candidate;
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
      const outcome = await invoke({ ...ctx, signal: AbortSignal.timeout(ctx.timeoutMs) }, call.input, call.meta);
      return { outcome, classification: deps.errorMap.classify(provider, operation, outcome.facts) };
    },
    ({ outcome, classification }) => classification.row.breaker || outcome.facts.transport !== undefined,
  );
  if (!guarded.ran) return skipped(provider, guarded.reason, 'provider_unavailable');

  const { outcome, classification } = guarded.value;
  await noteHealth(deps, call.mode, provider, operation, classification, outcome);
  const attempt = toAttempt(call.meta.verificationId, candidate, outcome, classification);
  await call.record(attempt);
  return { tried: true, attempt };
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
