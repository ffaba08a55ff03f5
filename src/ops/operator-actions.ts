import type { ProviderId } from '../../adapters/types';
import type { AppDeps } from '../deps';
import { AppError } from '../errors/app-error';
import type { Queryable } from '../store/db';
import type { KeyMode } from '../tenancy/key-mode';
import { issueKey, revokeKey, type ApiKey, type IssuedKey } from '../tenancy/keys-repo';
import { createOrg, findOrg, setOrgCapabilities, setOrgSpendCap, type Org } from '../tenancy/orgs-repo';
import type { Capability, Scope } from '../tenancy/scopes';
import type { LedgerRow } from '../ledger/ledger-repo';
import { resolveUnknownCharge } from '../ledger/resolve-entry';
import { insertOperatorAudit, type OperatorAction, type OperatorAudit } from './operator-audit';
import { announceEvents } from '../webhooks/announce';
import { recordEvent } from '../webhooks/events-repo';

/** Who acts: an operator key (never a tenant key). */
export interface Operator {
  keyId: string;
}

/**
 * Runs one operator action and audits it in one database transaction: the action (a Redis write, an org
 * row) runs inside it and the audit row is written with what it found, so an action that fails leaves no
 * audit and an audit never lacks its action. Then the ops hook hears of it.
 */
async function audited<T>(
  deps: AppDeps,
  who: Operator,
  what: { action: OperatorAction; target: string; reason: string },
  act: (tx: Queryable) => Promise<{ value: T; detail: Record<string, unknown>; target?: string }>,
  change?: ProviderChange,
): Promise<{ value: T; audit: OperatorAudit }> {
  const { value, audit, events } = await deps.db.transaction(async (tx) => {
    const done = await act(tx);
    const row = await insertOperatorAudit(tx, {
      operatorKeyId: who.keyId,
      ...what,
      target: done.target ?? what.target,
      detail: done.detail,
      at: deps.now(),
    });
    const recorded = change ? await recordProviderChange(tx, change, row.id) : [];
    return { value: done.value, audit: row, events: recorded };
  });
  await announceEvents(deps, events);
  await deps.ops
    .operatorActed(audit)
    .catch((err: Error) => deps.logger.warn({ err: err.message, auditId: audit.id }, 'ops event not delivered'));
  return { value, audit };
}

/** A provider's state as an operator changed it, in the key modes it changed in. */
interface ProviderChange {
  provider: ProviderId;
  state: 'drained' | 'restored' | 'cooldown_ended' | 'breaker_reset';
  modes: KeyMode[];
}

/**
 * The platform event `provider.state_changed`, one per key mode (sandbox endpoints hear of sandbox routing),
 * in the audit's transaction: the provider, its new state and the audit's id, never an org's or key's ids.
 */
async function recordProviderChange(tx: Queryable, change: ProviderChange, auditId: string): Promise<string[]> {
  const ids: string[] = [];
  for (const mode of change.modes) {
    ids.push(
      await recordEvent(tx, {
        orgId: null,
        type: 'provider.state_changed',
        sandbox: mode === 'test',
        data: { provider: change.provider, state: change.state, auditId },
      }),
    );
  }
  return ids;
}

const modesOf = (mode: KeyMode | undefined): KeyMode[] => (mode ? [mode] : ['test', 'live']);

/** Takes the provider out of routing on every instance, both key modes, until restored. */
export const drainProvider = (deps: AppDeps, who: Operator, provider: ProviderId, reason: string) =>
  audited(
    deps,
    who,
    { action: 'provider.drain', target: `provider:${provider}`, reason },
    async () => {
      const previous = await deps.gateway.drains.drain(provider, { reason, operatorKeyId: who.keyId, at: deps.now().toISOString() });
      return { value: undefined, detail: { wasDrained: previous !== null } };
    },
    { provider, state: 'drained', modes: modesOf(undefined) },
  );

export const restoreProvider = (deps: AppDeps, who: Operator, provider: ProviderId, reason: string) =>
  audited(
    deps,
    who,
    { action: 'provider.restore', target: `provider:${provider}`, reason },
    async () => {
      const wasDrained = await deps.gateway.drains.restore(provider);
      return { value: undefined, detail: { wasDrained } };
    },
    { provider, state: 'restored', modes: modesOf(undefined) },
  );

/** Ends the account-health cooldown (quota, funds, credentials) before it expires, in one key mode or both. */
export const endCooldown = (deps: AppDeps, who: Operator, provider: ProviderId, reason: string, mode?: KeyMode) =>
  audited(
    deps,
    who,
    { action: 'provider.end_cooldown', target: `provider:${provider}`, reason },
    async () => {
      const ended: Record<string, unknown> = {};
      for (const m of modesOf(mode)) {
        const cooldown = await deps.gateway.accountHealth.cooldownOf(m, provider);
        await deps.gateway.accountHealth.restore(m, provider);
        ended[m] = cooldown?.state ?? null;
      }
      return { value: undefined, detail: { ended } };
    },
    { provider, state: 'cooldown_ended', modes: modesOf(mode) },
  );

/** Closes the provider's breakers on the instance that answers (each instance keeps its own breakers). */
export const resetBreaker = (deps: AppDeps, who: Operator, provider: ProviderId, reason: string, mode?: KeyMode) =>
  audited(
    deps,
    who,
    { action: 'provider.reset_breaker', target: `provider:${provider}`, reason },
    async () => {
      const was = Object.fromEntries(modesOf(mode).map((m) => [m, deps.gateway.breakers.reset(m, provider)]));
      return { value: undefined, detail: { was, scope: 'this_instance' } };
    },
    { provider, state: 'breaker_reset', modes: modesOf(mode) },
  );

export const createOrgAudited = (deps: AppDeps, who: Operator, input: { name: string; capabilities: Capability[] }, reason: string) =>
  audited<Org>(deps, who, { action: 'org.create', target: 'org', reason }, async (tx) => {
    const org = await createOrg(tx, input);
    return { value: org, detail: { name: org.name, capabilities: org.capabilities }, target: `org:${org.id}` };
  });

const orgNotFound = () => new AppError('resource_not_found', { params: { resource: 'org' }, param: 'id' });

export const setCapabilities = (deps: AppDeps, who: Operator, orgId: string, capabilities: Capability[], reason: string) =>
  audited<Org>(deps, who, { action: 'org.set_capabilities', target: `org:${orgId}`, reason }, async (tx) => {
    const org = await setOrgCapabilities(tx, orgId, capabilities);
    if (!org) throw orgNotFound();
    return { value: org, detail: { capabilities } };
  });

/**
 * Issues an API key for an org (its first, say, for an org an operator created): any mode and scopes, since
 * the operator stands above the org. The key's secret is in the returned value only, never in the audit.
 */
export const issueOrgKey = (
  deps: AppDeps,
  who: Operator,
  orgId: string,
  input: { name: string; mode: KeyMode; scopes: Scope[] },
  reason: string,
) =>
  audited<IssuedKey>(deps, who, { action: 'org.issue_key', target: `org:${orgId}`, reason }, async (tx) => {
    if (!(await findOrg(tx, orgId))) throw orgNotFound();
    const key = await issueKey(tx, deps.keys, { orgId, ...input });
    return { value: key, detail: { keyId: key.id, name: key.name, mode: key.mode, scopes: key.scopes } };
  });

/** Revokes one of an org's API keys (a leaked key, a departed integrator): at once here, within the key cache's TTL elsewhere. */
export const revokeOrgKey = async (deps: AppDeps, who: Operator, orgId: string, keyId: string, reason: string) => {
  const done = await audited<ApiKey>(deps, who, { action: 'org.revoke_key', target: `org:${orgId}`, reason }, async (tx) => {
    const key = await revokeKey(tx, orgId, keyId, deps.now());
    if (!key) throw new AppError('resource_not_found', { params: { resource: 'api key' }, param: 'keyId' });
    return { value: key, detail: { keyId: key.id } };
  });
  deps.caches.keys.deleteWhere((cached) => cached.id === keyId);
  return done;
};

/** Sets the org's daily spend cap in IDR, or clears it (null). */
export const setSpendCap = (deps: AppDeps, who: Operator, orgId: string, dailyIdr: number | null, reason: string) =>
  audited<Org>(deps, who, { action: 'org.set_spend_cap', target: `org:${orgId}`, reason }, async (tx) => {
    const org = await setOrgSpendCap(tx, orgId, dailyIdr);
    if (!org) throw orgNotFound();
    return { value: org, detail: { dailyIdr } };
  });

/**
 * Settles any org's `unknown` ledger row as charged or free (the console's unknown-charge queue); the note
 * is the audit's reason and the resolution names the operator key.
 */
export const resolveChargeAudited = (deps: AppDeps, who: Operator, entryId: string, charged: 'charged' | 'free', note: string) =>
  audited<LedgerRow>(deps, who, { action: 'ledger.resolve', target: `ledger_entry:${entryId}`, reason: note }, async (tx) => {
    const entry = await resolveUnknownCharge(tx, null, entryId, { charged, note, by: { operatorKeyId: who.keyId }, at: deps.now() });
    return { value: entry, detail: { orgId: entry.orgId, from: 'unknown', to: charged } };
  });
