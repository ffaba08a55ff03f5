import { accuauth } from './accuauth';
import { idenfy } from './idenfy';
import { inhouse } from './inhouse';
import { lapis } from './lapis';
import type { AdapterDeclaration } from './types';

/**
 * Every provider the gateway can call, one line each. Routing, input shapes, breakers, simulators, prices
 * and where each provider is reached are all derived from these declarations (src/gateway/registry.ts).
 */
export const ADAPTERS: readonly AdapterDeclaration[] = [accuauth, idenfy, lapis, inhouse];
