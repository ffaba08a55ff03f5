import { z } from 'zod';
import { ADAPTERS } from '../../adapters';
import type { AdapterDeclaration, Check, Operation, PreparedCall, ProviderId } from '../../adapters/types';
import { unknownChoice } from '../errors/invalid-request';

/**
 * The providers the gateway can call, read from their declarations (adapters/index.ts): which operation
 * answers a check, which input each takes, and each operation's flags and price. Everything that needs a
 * provider list (routing, breakers, metrics, simulators, prices, where a provider is reached) asks this.
 */
export interface Registry {
  /** Every provider id, in declaration order (the order explain and the capability matrix list them in). */
  readonly ids: readonly ProviderId[];
  readonly adapters: readonly AdapterDeclaration[];
  has(provider: string): boolean;
  /** The declaration; throws for an id nobody declared (a wiring fault: ids come from validated config or requests). */
  adapter(provider: ProviderId): AdapterDeclaration;
  /** One declared operation, or undefined. */
  operation(provider: ProviderId, name: string): Operation | undefined;
  /**
   * The operation of a provider that answers a check: the first declared that serves it (AccuAuth's
   * `id_name` before `id_name_check`), so a new operation becomes routable by declaring it.
   */
  operationFor(provider: ProviderId, check: Check): string | undefined;
  /** Every provider able to serve the check, in declaration order. */
  providersServing(check: Check): ProviderId[];
  /** The input read by the provider's operation for the check; null when the provider does not serve the check. */
  prepare(check: Check, provider: ProviderId, input: unknown): PreparedCall | null;
  /** Does the provider take this input for the check? */
  acceptsInput(check: Check, provider: ProviderId, input: unknown): boolean;
  /**
   * Why a verification's input is refused, or null when some provider can take it: the pinned provider's
   * shape, or for `auto` any shape of the check (routing then skips the providers it does not fit). When no
   * shape fits, the issues are those of the shape the input came closest to (fewest issues; declaration
   * order among equals), so `{documentId, video}` with a bad video is told about the video, not about a
   * missing `captureBundleId`.
   */
  inputIssues(check: Check, input: unknown, pinned?: ProviderId): z.core.$ZodIssue[] | null;
  /** The same for an input the providers already read (prepare): null when one of them took it. */
  inputIssuesOf(reads: readonly (PreparedCall | null)[], check: Check, input: unknown): z.core.$ZodIssue[] | null;
}

/** Builds the registry; refuses two declarations with one id, or credentials that the reach does not name. */
export function createRegistry(adapters: readonly AdapterDeclaration[] = ADAPTERS): Registry {
  const byId = new Map<ProviderId, AdapterDeclaration>();
  for (const adapter of adapters) {
    if (byId.has(adapter.id)) throw new Error(`adapters: provider ${adapter.id} is declared twice`);
    if (!/^[a-z][a-z0-9_]{1,31}$/.test(adapter.id))
      throw new Error(`adapters: provider id ${adapter.id} must be lower-case letters, digits and _`);
    if (adapter.transport === 'http') {
      const named = [...adapter.credentials].sort().join(', ');
      const live = Object.keys(adapter.reach.live.credentialEnv).sort().join(', ');
      const sandbox = Object.keys(adapter.reach.sandbox.credentials).sort().join(', ');
      if (live !== named || sandbox !== named) {
        throw new Error(`adapters: ${adapter.id} reach.live.credentialEnv and reach.sandbox.credentials must name exactly its credentials (${named})`);
      }
    }
    byId.set(adapter.id, adapter);
  }

  const adapter = (provider: ProviderId): AdapterDeclaration => {
    const found = byId.get(provider);
    if (!found) throw new Error(`no adapter declares provider ${provider}`);
    return found;
  };
  const serving = (provider: ProviderId, check: Check) =>
    Object.entries(byId.get(provider)?.operations ?? {}).find(([, op]) => op.serves === check);
  const operationFor = (provider: ProviderId, check: Check) => serving(provider, check)?.[0];
  const prepare = (check: Check, provider: ProviderId, input: unknown) => serving(provider, check)?.[1].prepare(input) ?? null;
  const providersServing = (check: Check) => [...byId.keys()].filter((p) => operationFor(p, check) !== undefined);

  return {
    ids: [...byId.keys()],
    adapters: [...byId.values()],
    has: (provider) => byId.has(provider),
    adapter,
    operation: (provider, name) => byId.get(provider)?.operations[name],
    operationFor,
    providersServing,
    prepare,
    acceptsInput: (check, provider, input) => prepare(check, provider, input)?.ok ?? false,
    inputIssues(check, input, pinned) {
      return inputIssuesOf((pinned ? [pinned] : providersServing(check)).map((p) => prepare(check, p, input)), check, input);
    },
    inputIssuesOf,
  };
}

function inputIssuesOf(reads: readonly (PreparedCall | null)[], check: Check, input: unknown): z.core.$ZodIssue[] | null {
  let closest: z.core.$ZodIssue[] | null = null;
  for (const read of reads) {
    if (!read) continue;
    if (read.ok) return null;
    if (!closest || read.issues.length < closest.length) closest = read.issues;
  }
  return closest ?? [{ code: 'custom', path: [], message: `no input shape for ${check}`, input }];
}

/** The shipped providers (adapters/index.ts); tests build registries of their own with createRegistry. */
export const DEFAULT_REGISTRY = createRegistry();

/**
 * A provider id in a request or config file, checked against the registry; `also` adds choices such as
 * `auto`. The message lists what is accepted.
 */
export function providerIdSchema(registry: Registry, also: readonly string[] = []) {
  const allowed = [...also, ...registry.ids];
  const error = unknownChoice('provider', allowed);
  return z.string({ error }).refine((id) => allowed.includes(id), { error });
}
