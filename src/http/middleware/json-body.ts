import express, { type RequestHandler } from 'express';
import { AppError } from '../../errors/app-error';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a JSON body of at most `limitBytes`. A declared Content-Length over the limit is refused before
 * a byte is read; a streamed body is cut off at the limit. Only `application/json` in UTF-8 is accepted,
 * and bytes that are not valid UTF-8 are refused instead of being silently replaced.
 */
export function jsonBody(limitBytes: number): RequestHandler {
  const parse = express.json({
    limit: limitBytes,
    strict: true,
    type: () => true,
    verify: (_req, _res, buf) => {
      strictUtf8.decode(buf); // throws on malformed bytes; body-parser reports it as entity.verify.failed
    },
  });
  return (req, res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (!hasBody) {
      req.body = {};
      return next();
    }
    if (!req.is('application/json')) return next(new AppError('unsupported_media_type'));
    return parse(req, res, next);
  };
}
