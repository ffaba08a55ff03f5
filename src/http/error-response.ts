import { ZodError } from 'zod';
import { AppError, isAppError } from '../errors/app-error';
import { invalidRequest } from '../errors/invalid-request';
import { errorCatalog } from '../errors/catalog';
import type { Logger } from '../logger';

/** The suite error body (DESIGN 4). */
export interface ErrorBody {
  error: {
    code: string;
    message: string;
    type: string;
    status: number;
    retryable: boolean;
    charged: string | null;
    provider: string | null;
    upstream: { status?: number; code?: string; message?: string; requestId?: string } | null;
    param: string | null;
    requestId: string;
    [detail: string]: unknown;
  };
}

export interface ErrorReply {
  status: number;
  headers: Record<string, string>;
  body: ErrorBody;
}

/** body-parser's error types, translated into catalog codes. */
const BODY_PARSER_ERRORS: Record<string, (err: { limit?: number }) => AppError> = {
  'entity.too.large': (err) => new AppError('payload_too_large', { params: { limit: err.limit } }),
  'entity.parse.failed': () => new AppError('invalid_json'),
  'entity.verify.failed': () => new AppError('invalid_encoding'),
  'charset.unsupported': () => new AppError('unsupported_media_type'),
  'encoding.unsupported': () => new AppError('unsupported_media_type'),
  'request.size.invalid': () => new AppError('invalid_request', { params: { detail: 'body length does not match Content-Length' } }),
  'request.aborted': () => new AppError('invalid_request', { params: { detail: 'request aborted by the client' } }),
};

/** Turns anything thrown into an AppError; unknown errors become `internal_error`, their details kept out. */
export function toAppError(err: unknown): AppError {
  if (isAppError(err)) return err;
  if (err instanceof ZodError) return fromZod(err);
  const e = err as { type?: unknown; status?: unknown; expose?: unknown; message?: unknown } | null;
  const fromParser = typeof e?.type === 'string' ? BODY_PARSER_ERRORS[e.type] : undefined;
  if (fromParser) return fromParser(err as { limit?: number });
  // Express and its parsers mark the client's own faults (a %ZZ in the path, a corrupt gzip body) as
  // exposable 4xx errors: they are bad input, not our failure.
  const clientFault = e?.expose === true || err instanceof URIError;
  if (clientFault && typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return new AppError('invalid_request', { params: { detail: String(e.message ?? 'malformed request') }, cause: err });
  }
  return new AppError('internal_error', { cause: err });
}

export const fromZod = (err: ZodError): AppError => invalidRequest(err.issues);

/** The one place an error becomes a response: status, headers and the suite error body. */
export function serialiseError(err: unknown, requestId: string): ErrorReply {
  const appError = toAppError(err);
  const entry = errorCatalog().get(appError.code);
  const o = appError.options;
  return {
    status: entry.status,
    headers: o.headers ?? {},
    body: {
      error: {
        ...o.details,
        code: appError.code,
        message: appError.message,
        type: entry.type,
        status: entry.status,
        retryable: entry.retryable,
        charged: o.charged ?? null,
        provider: o.provider ?? null,
        upstream: o.upstream ?? null,
        param: o.param ?? null,
        requestId,
      },
    },
  };
}

/** Server-side failures are logged with their cause; client errors are already in the request line. */
export function logError(logger: Logger, err: unknown, reply: ErrorReply): void {
  if (reply.status >= 500) logger.error({ err, requestId: reply.body.error.requestId, code: reply.body.error.code }, 'request failed');
}
