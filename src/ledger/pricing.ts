import { z } from 'zod';
import { ConfigError, readConfigFile } from '../config';
import { DEFAULT_REGISTRY, type Registry } from '../gateway/registry';

const PlanChoice = z
  .object({
    /** The plan of every org not named in `orgs`. */
    default: z.string().min(1),
    /** Org id -> its own plan with the vendor (a separate contract). */
    orgs: z.record(z.string(), z.string().min(1)).default({}),
  })
  .strict();

const PricingFile = z
  .object({
    $comment: z.string().optional(),
    /** ISO 4217 currency of every price: the declarations' list prices are in rupiah. */
    currency: z.literal('IDR'),
    /** provider -> operation -> contract price of one charged call, in whole rupiah, over the declared list price. */
    prices: z.record(z.string(), z.record(z.string(), z.number().min(0))).default({}),
    /**
     * provider -> the pricing plan that decides plan-dependent rows of its mapping table (iDenfy bills approved
     * sessions only on `pay_per_approved`, every completed one on `pay_per_completed`). A provider without an
     * entry leaves such rows `unknown`, for finance to settle.
     */
    plans: z.record(z.string(), PlanChoice).default({}),
  })
  .strict();

export interface Pricing {
  currency: string;
  /**
   * The price of one call: the contract rate of config/pricing.json, else the operation's declared list
   * price. An operation without either is booked at 0, so the row is never lost.
   */
  unitPrice(provider: string, operation: string): number;
  /** The org's pricing plan with the vendor, when config/pricing.json names one. */
  planOf(provider: string, orgId: string): string | undefined;
}

export interface PricingOptions {
  registry?: Registry;
  /** The plans each provider's mapping table knows (its rows' `charged.plan` keys): a plan must be one of them. */
  knownPlans?: (provider: string) => readonly string[];
}

export function loadPricing(dir?: string, options: PricingOptions = {}): Pricing {
  const registry = options.registry ?? DEFAULT_REGISTRY;
  const file = readConfigFile('pricing.json', PricingFile, dir);
  for (const [provider, operations] of Object.entries(file.prices)) {
    for (const operation of Object.keys(operations)) {
      if (!registry.operation(provider, operation)) {
        throw new ConfigError(`config/pricing.json: prices.${provider}.${operation}: no adapter declares this operation`);
      }
    }
  }
  for (const [provider, choice] of Object.entries(file.plans)) {
    if (!registry.has(provider)) throw new ConfigError(`config/pricing.json: plans.${provider}: no adapter declares this provider`);
    const known = options.knownPlans?.(provider);
    if (!known) continue;
    for (const [where, plan] of [['default', choice.default], ...Object.entries(choice.orgs).map(([org, p]) => [`orgs.${org}`, p])]) {
      if (!known.includes(plan as string)) {
        throw new ConfigError(
          `config/pricing.json: plans.${provider}.${where}: ${plan} is not a plan of its mapping table (${known.join(', ') || 'none'})`,
        );
      }
    }
  }
  return {
    currency: file.currency,
    unitPrice: (provider, operation) => file.prices[provider]?.[operation] ?? registry.operation(provider, operation)?.listPrice ?? 0,
    planOf: (provider, orgId) => {
      const choice = file.plans[provider];
      return choice ? (choice.orgs[orgId] ?? choice.default) : undefined;
    },
  };
}
