import { z } from 'zod';
import { ConfigError, readConfigFile } from '../config';
import { DEFAULT_REGISTRY, type Registry } from '../gateway/registry';

const PricingFile = z
  .object({
    $comment: z.string().optional(),
    /** ISO 4217 currency of every price: the declarations' list prices are in rupiah. */
    currency: z.literal('IDR'),
    /** provider -> operation -> contract price of one charged call, in whole rupiah, over the declared list price. */
    prices: z.record(z.string(), z.record(z.string(), z.number().min(0))).default({}),
  })
  .strict();

export interface Pricing {
  currency: string;
  /**
   * The price of one call: the contract rate of config/pricing.json, else the operation's declared list
   * price. An operation without either is booked at 0, so the row is never lost.
   */
  unitPrice(provider: string, operation: string): number;
}

export function loadPricing(dir?: string, registry: Registry = DEFAULT_REGISTRY): Pricing {
  const file = readConfigFile('pricing.json', PricingFile, dir);
  for (const [provider, operations] of Object.entries(file.prices)) {
    for (const operation of Object.keys(operations)) {
      if (!registry.operation(provider, operation)) {
        throw new ConfigError(`config/pricing.json: prices.${provider}.${operation}: no adapter declares this operation`);
      }
    }
  }
  return {
    currency: file.currency,
    unitPrice: (provider, operation) => file.prices[provider]?.[operation] ?? registry.operation(provider, operation)?.listPrice ?? 0,
  };
}
