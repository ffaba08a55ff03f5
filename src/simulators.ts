import type { ProviderId } from '../adapters/types';
import type { RunningSimulator, SimulatorContext } from '../adapters/simulator-kit';
import type { ProvidersConfig } from './gateway/providers';
import type { Registry } from './gateway/registry';

/** One simulator per vendor reached over HTTP, by provider; the in-house engine runs in process and has none. */
export type RunningSimulators = Record<ProviderId, RunningSimulator>;

/**
 * Every declared vendor's simulator on its sandbox port, bound to `host` (config simulatorsListen: loopback
 * unless a deployment says otherwise, as compose does for its simulators service), accepting the sandbox
 * credentials of its declaration: the providers behind sandbox keys in the embedded run. `context.gatewayUrl`
 * says where vendors that send webhooks (iDenfy) send them.
 */
export async function startSimulators(
  registry: Registry,
  providers: ProvidersConfig,
  host: string,
  context: SimulatorContext = {},
): Promise<RunningSimulators> {
  const running = await Promise.all(
    registry.adapters.flatMap((adapter) => {
      const reach = providers[adapter.id];
      if (adapter.transport !== 'http' || reach?.transport !== 'http') return [];
      return [adapter.simulator(reach.sandbox.port, reach.sandbox.credentials, host, context).then((s) => [adapter.id, s] as const)];
    }),
  );
  return Object.fromEntries(running);
}

export async function stopSimulators(running: RunningSimulators): Promise<void> {
  await Promise.all(Object.values(running).map((s) => s.close()));
}
