import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Check } from '../../adapters/types';
import { AccountHealth } from '../../src/gateway/account-health';
import { loadErrorMap } from '../../src/gateway/error-map';
import { DEFAULT_REGISTRY } from '../../src/gateway/registry';
import { loadRoutingPolicy, type Candidate, type RoutingPolicy } from '../../src/gateway/routing';

const { operationFor, providersServing } = DEFAULT_REGISTRY;

/** A check's candidates by the default policy: its order, or the pinned provider alone. */
function candidatesFor(policy: RoutingPolicy, check: Check, pinned?: string): Candidate[] {
  return (pinned ? [pinned] : (policy.checks[check] ?? [])).flatMap((provider) => {
    const operation = operationFor(provider, check);
    return operation ? [{ provider, operation }] : [];
  });
}
import { producerConnection, whenReady } from '../../src/jobs/redis';
import { createLogger } from '../../src/logger';
import { REDIS_URL } from '../helpers/test-app';

describe('capability matrix and routing policy', () => {
  it('when the adapters are read, then each check is served by the providers whose operations declare it', () => {
    expect(providersServing('identity_selfie')).toEqual(['accuauth', 'inhouse']);
    expect(providersServing('hosted_session')).toEqual(['idenfy']);
    expect(providersServing('document')).toEqual(['lapis', 'inhouse']);
    expect(operationFor('accuauth', 'name_check')).toBe('id_name');
    expect(operationFor('lapis', 'liveness')).toBe('liveliness');
    expect(operationFor('inhouse', 'liveness')).toBe('flash_liveness');
    expect(operationFor('inhouse', 'name_check')).toBeUndefined();
    expect(operationFor('idenfy', 'document')).toBeUndefined();
  });

  it('when config/routing.json is loaded, then every check has candidates in its order and unknown failover is off', () => {
    const policy = loadRoutingPolicy();
    expect(policy.allowFailoverAfterUnknown).toBe(false);
    expect(candidatesFor(policy, 'identity_selfie')).toEqual([
      { provider: 'accuauth', operation: 'id_selfie' },
      { provider: 'inhouse', operation: 'registryless_selfie' },
    ]);
    expect(candidatesFor(policy, 'liveness')).toEqual([
      { provider: 'inhouse', operation: 'flash_liveness' },
      { provider: 'lapis', operation: 'liveliness' },
    ]);
    expect(candidatesFor(policy, 'face_match', 'lapis')).toEqual([{ provider: 'lapis', operation: 'face_authentication' }]);
    expect(candidatesFor(policy, 'face_match', 'accuauth')).toEqual([]);
  });

  it('when a routing file lists a provider for a check it cannot serve, then loading fails naming both', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'routing-'));
    try {
      const checks = { ...loadRoutingPolicy().checks, identity_selfie: ['accuauth', 'lapis'] };
      writeFileSync(path.join(dir, 'routing.json'), JSON.stringify({ checks }));
      expect(() => loadRoutingPolicy(dir)).toThrow('lapis has no operation serving identity_selfie');
      // Every check needs an entry: a check nobody routes would fail every request at run time instead.
      writeFileSync(path.join(dir, 'routing.json'), JSON.stringify({ checks: { identity_selfie: ['accuauth'] } }));
      expect(() => loadRoutingPolicy(dir)).toThrow(/checks.name_check/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('account health', () => {
  it('when a row carries accountHealth, then the cooldown is shared through Redis, expires, and ops get a warning without input', async () => {
    const redis = producerConnection(REDIS_URL);
    await whenReady(redis);
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const prefix = `test:cooldown:${Date.now()}`;
    const writer = new AccountHealth(redis, createLogger('info', sink), prefix);
    const reader = new AccountHealth(redis, createLogger('silent'), prefix);
    const row = loadErrorMap().classify('accuauth', 'id_selfie', { httpStatus: 403, code: 'OUT_OF_QUOTA' }).row;
    try {
      await writer.coolDown('test', 'accuauth', row, 200);
      expect(await reader.cooldownOf('test', 'accuauth')).toEqual({ state: 'quota_exhausted', suiteCode: 'provider_quota_exhausted' });
      expect(await reader.cooldownOf('live', 'accuauth')).toBeNull();
      const logged = JSON.parse(lines[0] as string);
      expect(logged).toMatchObject({ level: 40, provider: 'accuauth', accountState: 'quota_exhausted', alert: 'provider_account_health' });
      await new Promise((r) => setTimeout(r, 300));
      expect(await reader.cooldownOf('test', 'accuauth')).toBeNull();
    } finally {
      redis.disconnect();
    }
  });
});
