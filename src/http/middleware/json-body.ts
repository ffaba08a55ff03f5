import express, { type RequestHandler } from 'express';
import { AppError } from '../../errors/app-error';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a JSON body of at most `limitBytes`, nested at most `maxDepth` levels. A declared Content-Length
 * over the limit is refused before a byte is read (and the connection closed, so the body is never read:
 * body-parser would read it all off first); a streamed body is cut off at the limit. A client that sent
 * `Expect: 100-continue` gets its `100 Continue` only here, once the request passed everything that comes
 * before the body (key, scope, capability, rate limit, size). No string or key may hold NUL (U+0000) or a lone
 * surrogate: no field has a use for them and the database cannot store them. Only `application/json` in UTF-8 is
 * accepted, and bytes that are not valid UTF-8 are refused instead of being silently replaced.
 */
export function jsonBody(limitBytes: number, maxDepth: number): RequestHandler {
  const parse = express.json({
    limit: limitBytes,
    strict: true,
    type: () => true,
    verify: (_req, _res, buf) => {
      strictUtf8.decode(buf); // throws on malformed bytes; body-parser reports it as entity.verify.failed
    },
  });
  return (req, res, next) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const hasBody = req.headers['transfer-encoding'] !== undefined || declared > 0;
    if (!hasBody) {
      req.body = {};
      return next();
    }
    if (!req.is('application/json')) return refuseUnread(res, next, new AppError('unsupported_media_type'));
    if (declared > limitBytes) return refuseUnread(res, next, new AppError('payload_too_large', { params: { limit: limitBytes } }));
    if (req.headers.expect?.toLowerCase() === '100-continue') res.writeContinue();
    return parse(req, res, (err?: unknown) => {
      if (err) return next(err);
      next(refusal(req.body, maxDepth));
    });
  };
}

/** Refuses a request whose body was not read: the connection closes after the answer, the body unread. */
function refuseUnread(res: Parameters<RequestHandler>[1], next: Parameters<RequestHandler>[2], err: AppError): void {
  res.setHeader('Connection', 'close');
  next(err);
}

/**
 * Why a parsed body is refused, walked iteratively (no input can overflow the stack): nesting deeper than
 * `maxDepth`, or a NUL or lone surrogate in a string or key. Undefined when it is fine.
 */
function refusal(body: unknown, maxDepth: number): AppError | undefined {
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value: body, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop() as { value: unknown; depth: number; path: string };
    if (typeof value === 'string' && unstorable(value)) return badStringIn(path);
    if (value === null || typeof value !== 'object') continue;
    if (depth >= maxDepth) return new AppError('invalid_request', { params: { detail: `JSON nested deeper than ${maxDepth} levels` } });
    for (const [key, child] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      if (unstorable(key)) return badStringIn(path);
      stack.push({ value: child, depth: depth + 1, path: at });
    }
  }
  return undefined;
}

// NUL, or half of a surrogate pair (JSON may escape one alone: "\ud800"): neither is text the database can store.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True for a string holding NUL or a lone surrogate. */
export const unstorable = (s: string): boolean => UNSTORABLE.test(s);

export const badStringIn = (where: string) => {
  const path = where.length > 100 ? `${where.slice(0, 100)}...` : where;
  const detail = `${path ? `${path}: ` : ''}strings must be well-formed Unicode without NUL (U+0000)`;
  return new AppError('invalid_request', { params: { detail }, param: path || undefined });
};

/**
 * For routes that take no body (GET, DELETE): a request that brings one is refused unread, the connection
 * closed after the small answer. Left unread, a large body makes Node cut the connection while a long answer
 * is still being written, and the client gets a truncated 200.
 */
export function noBody(): RequestHandler {
  return (req, res, next) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (req.headers['transfer-encoding'] === undefined && !(declared > 0)) return next();
    refuseUnread(res, next, new AppError('invalid_request', { params: { detail: `${req.method} takes no body` } }));
  };
}
