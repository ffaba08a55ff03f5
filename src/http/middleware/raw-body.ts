import express, { type RequestHandler } from 'express';

/**
 * Reads the body as raw bytes (a Buffer, empty when there is none), of at most `limitBytes`: for routes
 * that must check a signature over exactly the bytes sent (vendor webhooks) before anything parses them.
 * A declared Content-Length over the limit is refused before a byte is read.
 */
export function rawBody(limitBytes: number): RequestHandler {
  const read = express.raw({ limit: limitBytes, type: () => true });
  return (req, res, next) =>
    read(req, res, (err?: unknown) => {
      if (err) return next(err);
      if (!Buffer.isBuffer(req.body)) req.body = Buffer.alloc(0);
      next();
    });
}
