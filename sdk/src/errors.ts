import type { ErrorCode } from './generated/api';

/** The API's error body (one shape for every error). */
export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    type: string;
    status: number;
    retryable: boolean;
    charged: 'charged' | 'free' | 'unknown' | null;
    provider: string | null;
    upstream: { status?: number; code?: string; message?: string; requestId?: string } | null;
    param: string | null;
    requestId: string;
    /** A verification nobody could answer: for each provider, why it was skipped or what it answered. */
    reasons?: Array<{ provider: string; outcome: 'attempted' | 'skipped'; reason: string }>;
    [detail: string]: unknown;
  };
}

/** Any error the API answered: its code, status and the rest of the body, typed. */
export class VerigateError extends Error {
  override name = 'VerigateError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly requestId: string;
  readonly retryable: boolean;
  /** Whether the vendor billed the call behind this error: `unknown` until reconciled. */
  readonly charged: 'charged' | 'free' | 'unknown' | null;
  readonly provider: string | null;
  readonly body: ErrorBody;
  /** Seconds to wait before retrying (`Retry-After`), when the API said. */
  readonly retryAfterSeconds: number | null;

  constructor(body: ErrorBody, retryAfterSeconds: number | null = null) {
    super(body.error.message);
    const e = body.error;
    this.code = e.code;
    this.status = e.status;
    this.type = e.type;
    this.param = e.param;
    this.requestId = e.requestId;
    this.retryable = e.retryable;
    this.charged = e.charged;
    this.provider = e.provider;
    this.body = body;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** 400, 404, 405, 413, 415 and other faults of the request itself. */
export class InvalidRequestError extends VerigateError {
  override name = 'InvalidRequestError';
}
/** 401: no key, an unknown or revoked key, or a key without the route's scope. */
export class AuthenticationError extends VerigateError {
  override name = 'AuthenticationError';
}
/** 403: the org may not use this capability. */
export class PermissionError extends VerigateError {
  override name = 'PermissionError';
}
/** Idempotency-Key misuse: reused with another body (422), or still in use (409). */
export class IdempotencyError extends VerigateError {
  override name = 'IdempotencyError';
}
/** 429: the key's rate limit for this operation; `retryAfterSeconds` says when. */
export class RateLimitError extends VerigateError {
  override name = 'RateLimitError';
}
/** A capture or match the engine refused (signature, challenge, replay, no face, ...). */
export class VerificationError extends VerigateError {
  override name = 'VerificationError';
}
/** No provider could answer (`error.reasons` says why each was skipped or what it answered). */
export class ProviderError extends VerigateError {
  override name = 'ProviderError';
}
/** Our side failed (5xx `internal_error`, `service_unavailable`). */
export class ApiError extends VerigateError {
  override name = 'ApiError';
}

/** The request never got an answer (network, timeout) after every retry. */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

const BY_TYPE: Record<string, typeof VerigateError> = {
  invalid_request_error: InvalidRequestError,
  authentication_error: AuthenticationError,
  permission_error: PermissionError,
  idempotency_error: IdempotencyError,
  rate_limit_error: RateLimitError,
  verification_error: VerificationError,
  provider_error: ProviderError,
  api_error: ApiError,
};

/** The typed error of an error body. */
export function errorOf(body: ErrorBody, retryAfterSeconds: number | null): VerigateError {
  const Class = BY_TYPE[body.error.type] ?? VerigateError;
  return new Class(body, retryAfterSeconds);
}

export const isErrorBody = (value: unknown): value is ErrorBody => {
  const error = (value as { error?: { code?: unknown; status?: unknown } } | null)?.error;
  return typeof error?.code === 'string' && typeof error.status === 'number';
};
