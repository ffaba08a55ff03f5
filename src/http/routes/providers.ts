import { z } from 'zod';
import type { ProviderId } from '../../../adapters/types';
import type { AppDeps } from '../../deps';
import { AppError } from '../../errors/app-error';
import { shownValue } from '../../errors/invalid-request';
import { KEY_MODES } from '../../tenancy/key-mode';
import { route, type RouteSpec } from '../route';

/** Ops say why they drain or restore: the reason goes into the audit log line. */
const OpsBody = z.object({ reason: z.string().trim().min(10, 'reason: at least 10 characters').max(500) }).strict();

export function providerRoutes(deps: AppDeps): RouteSpec[] {
  const g = deps.gateway;

  function providerParam(id: string | undefined): ProviderId {
    if (id === undefined || !g.registry.has(id)) {
      throw new AppError('resource_not_found', { params: { resource: `provider ${shownValue(id)}` }, param: 'id' });
    }
    return id;
  }

  async function describe(provider: ProviderId, drains: Awaited<ReturnType<typeof g.drains.all>>) {
    const adapter = g.registry.adapter(provider);
    const operations = Object.entries(adapter.operations).map(([name, op]) => ({ name, serves: op.serves }));
    const modes = Object.fromEntries(
      await Promise.all(
        KEY_MODES.map(async (mode) => [
          mode,
          {
            breaker: g.breakers.state(mode, provider),
            account: await g.accountHealth.describe(mode, provider, deps.now()),
            recent: await g.stats.recent(mode, provider),
          },
        ]),
      ),
    );
    return {
      id: provider,
      object: 'provider',
      displayName: adapter.displayName,
      checks: [...new Set(operations.flatMap((o) => (o.serves ? [o.serves] : [])))],
      operations,
      drained: drains[provider] ?? null,
      modes,
    };
  }

  return [
    /**
     * Ops view of every provider: capabilities, breaker and account state per key mode, drain, and
     * latency and error rate over the last calls (shared through Redis, so every instance agrees).
     * Breaker state is this instance's: each instance keeps its own breakers.
     */
    route({
      method: 'get',
      path: '/v1/providers',
      scope: 'providers:manage',
      handler: async () => {
        const drains = await g.drains.all();
        return { status: 200, body: { object: 'list', data: await Promise.all(g.registry.ids.map((p) => describe(p, drains))) } };
      },
    }),
    /** Takes the provider out of routing on every instance until restored; audited with who and why. */
    route({
      method: 'post',
      path: '/v1/providers/:id/drain',
      scope: 'providers:manage',
      body: OpsBody,
      handler: async ({ caller, params, body }) => {
        const provider = providerParam(params.id);
        const { reason } = body as z.infer<typeof OpsBody>;
        await g.drains.drain(provider, { reason, orgId: caller.orgId, keyId: caller.keyId, at: deps.now().toISOString() });
        return { status: 200, body: await describe(provider, await g.drains.all()) };
      },
    }),
    route({
      method: 'post',
      path: '/v1/providers/:id/restore',
      scope: 'providers:manage',
      body: OpsBody,
      handler: async ({ caller, params, body }) => {
        const provider = providerParam(params.id);
        const { reason } = body as z.infer<typeof OpsBody>;
        await g.drains.restore(provider, { reason, orgId: caller.orgId, keyId: caller.keyId });
        return { status: 200, body: await describe(provider, await g.drains.all()) };
      },
    }),
  ];
}
