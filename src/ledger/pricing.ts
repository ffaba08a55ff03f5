import { z } from 'zod';
import { readConfigFile } from '../config';

const PricingFile = z
  .object({
    $comment: z.string().optional(),
    /** ISO 4217 currency of every price. */
    currency: z.string().regex(/^[A-Z]{3}$/),
    /** provider -> operation -> price of one charged call, in whole units of `currency`. */
    prices: z.record(z.string(), z.record(z.string(), z.number().min(0))),
  })
  .strict();

export interface Pricing {
  currency: string;
  /** The list price of one call; an operation without a price is booked at 0 so the row is never lost. */
  unitPrice(provider: string, operation: string): number;
}

export function loadPricing(dir?: string): Pricing {
  const file = readConfigFile('pricing.json', PricingFile, dir);
  return { currency: file.currency, unitPrice: (provider, operation) => file.prices[provider]?.[operation] ?? 0 };
}
