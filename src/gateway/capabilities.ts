import { accuauth } from '../../adapters/accuauth';
import { idenfy } from '../../adapters/idenfy';
import { inhouse } from '../../adapters/inhouse';
import { lapis } from '../../adapters/lapis';
import type { AdapterDeclaration, Check } from '../../adapters/types';
import type { VendorId } from './providers';

/** The adapters the gateway can call: the vendors and the in-house engine, each declared the same way. */
export const ADAPTERS: Record<VendorId, AdapterDeclaration> = { accuauth, idenfy, lapis, inhouse };

/**
 * Which operation of a provider answers a check, derived from each adapter's own declaration
 * (`operations[*].serves`), so a new operation becomes routable by declaring it, not by editing here.
 * Where a provider has several (AccuAuth `id_name` and `id_name_check`), the first declared is used.
 */
export function operationFor(provider: VendorId, check: Check): string | undefined {
  return Object.entries(ADAPTERS[provider].operations).find(([, op]) => op.serves === check)?.[0];
}

/** Every provider able to serve the check. */
export function providersServing(check: Check): VendorId[] {
  return (Object.keys(ADAPTERS) as VendorId[]).filter((p) => operationFor(p, check) !== undefined);
}
