import type { RequestHandler } from 'express';
import { newId } from '../../ids';
import type { Logger } from '../../logger';

const INCOMING_ID = /^[\w.:-]{1,128}$/;

/**
 * Gives every request an id (the caller's X-Request-Id when it is sane, else a new one), echoes it, and
 * logs one line per response. Bodies and query strings are never logged: they can carry NIK, names
 * and images.
 */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : newId('req');
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const caller = res.locals.caller as { orgId: string; keyId: string } | undefined;
      logger.info(
        {
          requestId,
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          orgId: caller?.orgId,
          keyId: caller?.keyId,
          errorCode: res.locals.errorCode,
        },
        'request',
      );
    });
    next();
  };
}
