import { startAccuauthSimulator } from '../adapters/accuauth/simulator';
import { startIdenfySimulator } from '../adapters/idenfy/simulator';
import { startLapisSimulator } from '../adapters/lapis/simulator';
import type { RunningSimulator } from '../adapters/simulator-kit';
import type { HttpVendorId, ProvidersConfig } from './gateway/providers';

/** One simulator per HTTP vendor; the in-house engine runs in process and has none. */
export type RunningSimulators = Record<HttpVendorId, RunningSimulator>;

/**
 * Every vendor simulator on its sandbox port (bound to `host`: loopback in the embedded run, all
 * interfaces when they run as their own service), accepting the sandbox credentials of config/providers.json:
 * the providers behind sandbox keys in the embedded run.
 */
export async function startSimulators(providers: ProvidersConfig, host = '127.0.0.1'): Promise<RunningSimulators> {
  const [accuauth, idenfy, lapis] = await Promise.all([
    startAccuauthSimulator(
      providers.accuauth.sandbox.port,
      {
        apiId: providers.accuauth.sandbox.credentials.apiId,
        apiSecret: providers.accuauth.sandbox.credentials.apiSecret,
      },
      host,
    ),
    startIdenfySimulator(
      providers.idenfy.sandbox.port,
      {
        apiKey: providers.idenfy.sandbox.credentials.apiKey,
        apiSecret: providers.idenfy.sandbox.credentials.apiSecret,
      },
      host,
    ),
    startLapisSimulator(providers.lapis.sandbox.port, { apiKey: providers.lapis.sandbox.credentials.apiKey }, host),
  ]);
  return { accuauth, idenfy, lapis };
}

export async function stopSimulators(running: RunningSimulators): Promise<void> {
  await Promise.all(Object.values(running).map((s) => s.close()));
}
