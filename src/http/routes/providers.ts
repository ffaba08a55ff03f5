import type { ProviderId } from '../../../adapters/types';
import type { AppDeps } from '../../deps';
import { AppError } from '../../errors/app-error';
import { shownValue } from '../../errors/invalid-request';
import { KEY_MODES } from '../../tenancy/key-mode';
import { route, type RouteSpec } from '../route';

/** The provider id of a path, or 404. */
export function providerParam(deps: AppDeps, id: string | undefined): ProviderId {
  if (id === undefined || !deps.gateway.registry.has(id)) {
    throw new AppError('resource_not_found', { params: { resource: `provider ${shownValue(id)}` }, param: 'id' });
  }
  return id;
}

/**
 * Each provider's capabilities and health, per key mode: breaker (`closed`, `open`, `half_open`; this
 * instance's), account cooldown and latency and error rate over the last calls (shared through Redis).
 * `forOperators` adds who drained it and why; tenants only learn that it is drained.
 */
export async function describeProviders(deps: AppDeps, forOperators: boolean) {
  const g = deps.gateway;
  const drains = await g.drains.all();
  return Promise.all(
    g.registry.ids.map(async (provider) => {
      const adapter = g.registry.adapter(provider);
      const operations = Object.entries(adapter.operations).map(([name, op]) => ({ name, serves: op.serves }));
      const modes = Object.fromEntries(
        await Promise.all(
          KEY_MODES.map(async (mode) => {
            const account = await g.accountHealth.describe(mode, provider, deps.now());
            return [
              mode,
              {
                breaker: g.breakers.state(mode, provider),
                account: account && (forOperators ? account : { state: account.state, until: account.until }),
                recent: await g.stats.recent(mode, provider),
              },
            ];
          }),
        ),
      );
      const drain = drains[provider] ?? null;
      return {
        id: provider,
        object: 'provider',
        displayName: adapter.displayName,
        checks: [...new Set(operations.flatMap((o) => (o.serves ? [o.serves] : [])))],
        operations,
        drained: forOperators ? drain : drain !== null,
        modes,
      };
    }),
  );
}

export function providerRoutes(deps: AppDeps): RouteSpec[] {
  return [
    /**
     * Tenants' view of every provider's health. Says whether a provider is drained, never by whom or why:
     * drains are operators' (src/http/routes/operators.ts), and no org sees another's ids.
     */
    route({
      method: 'get',
      path: '/v1/providers',
      scope: 'providers:view',
      handler: async () => ({ status: 200, body: { object: 'list', data: await describeProviders(deps, false) } }),
    }),
  ];
}
