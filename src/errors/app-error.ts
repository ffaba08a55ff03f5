import { errorCatalog, renderMessage } from './catalog';

/** Whether an upstream call was billed: the mapping table's verdict, the ledger's column, the error body's `charged`. */
export const CHARGES = ['charged', 'free', 'unknown'] as const;
export type Charge = (typeof CHARGES)[number];

/** What the vendor said, as an error body shows it (a summary of the call's UpstreamFacts, adapters/types.ts). */
export interface UpstreamSummary {
  status?: number;
  code?: string;
  message?: string;
  requestId?: string;
}

export interface AppErrorOptions {
  /** Values for the catalog message's `{placeholders}`. */
  params?: Record<string, string | number | undefined>;
  /** The request field at fault, as a dotted path. */
  param?: string;
  provider?: string;
  charged?: Charge;
  upstream?: UpstreamSummary;
  /** Headers the response must carry (for example `Retry-After`). */
  headers?: Record<string, string>;
  /** Extra fields for the body, such as the id of a persisted bundle. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The one error class of the suite. Its code names a catalog entry, which fixes status, type and public
 * message; the error handler is the only place that turns it into a response body.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly options: AppErrorOptions;

  constructor(code: string, options: AppErrorOptions = {}) {
    const entry = errorCatalog().get(code);
    super(renderMessage(entry.message, options.params), { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = entry.status;
    this.options = options;
  }
}

export const isAppError = (value: unknown): value is AppError => value instanceof AppError;
