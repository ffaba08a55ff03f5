import { NameCheckInput } from '../check-inputs';
import { operation } from '../declare';
import type { AdapterDeclaration, AdapterOutcome, CallContext } from '../types';
import { EXAMPLE_PATHS, postExample } from './client';
import { EXAMPLE_SANDBOX_CREDENTIALS, startExampleSimulator } from './simulator';
import { checkOutcome, toCheckBody, type ExampleCheckData } from './transform';

/**
 * TEMPLATE: how a vendor is declared, once. Copy this folder to adapters/<vendor>/ and follow
 * adapters/_template/README.md. The declaration says who the vendor is, how it is reached, which
 * credentials it needs, and per operation the check it serves, the input it reads and its call; the
 * gateway derives routing, input checks, breakers, prices and the simulator list from it.
 */

/** NIK + name against the vendor's registry (exported so the adapter's nock tests can call it directly). */
export async function checkName(ctx: CallContext, input: NameCheckInput): Promise<AdapterOutcome<ExampleCheckData>> {
  return checkOutcome(await postExample(ctx, EXAMPLE_PATHS.check, toCheckBody(input)));
}

export const example: AdapterDeclaration = {
  id: 'example',
  displayName: 'Example vendor',
  transport: 'http',
  credentials: ['apiKey'],
  reach: {
    /** Per-call timeout, in ms: the vendor's documented worst case plus a margin. */
    timeoutMs: 8000,
    live: { baseUrl: 'https://api.example.com', credentialEnv: { apiKey: 'EXAMPLE_API_KEY' } },
    /** A port no other simulator uses (7101-7103 are taken). */
    sandbox: { port: 7199, credentials: EXAMPLE_SANDBOX_CREDENTIALS },
  },
  simulator: startExampleSimulator,
  operations: {
    name_check: operation({
      endpoint: `POST ${EXAMPLE_PATHS.check}`,
      serves: 'name_check',
      input: NameCheckInput,
      call: (ctx, input) => checkName(ctx, input),
      listPrice: 1000,
    }),
  },
};
