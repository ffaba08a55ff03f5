/**
 * F, the floor app: the least a gateway with a durable write does. A minimal Express 5 app taking the
 * gateway's request (same headers and body as G: Bearer key, { customerId, check, input }) that checks the
 * key (one Redis GET of its SHA-256), forwards the call to the vendor over a keep-alive agent, INSERTs one
 * row (the call and the reply, like a ledger row with the remembered answer) and passes the vendor's
 * status and body through. No validation, no idempotency, no routing: whatever G spends above F is the
 * price of its features and of how it reaches the database and Redis.
 */
import { createHash } from 'node:crypto';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import type { Redis } from 'ioredis';
import type { Db } from '../src/store/db';

export interface FloorAppOptions {
  db: Db;
  redis: Redis;
  /** The vendor's endpoint, e.g. http://127.0.0.1:1234/verify/id_selfie. */
  upstream: string;
  /** Headers the vendor wants (credentials, content type). */
  upstreamHeaders: Record<string, string>;
  /** The API key F accepts (G's key, so both targets get the very same request). */
  apiKey: string;
  /** Redis key prefix of F's key records. */
  keyPrefix: string;
}

export interface FloorApp {
  url: string;
  /** Rows F has written so far (one per vendor call it made). */
  rows(): Promise<number>;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  contentType: string;
  body: Buffer;
}

export async function startFloorApp(options: FloorAppOptions): Promise<FloorApp> {
  const { db, redis } = options;
  const keyName = (token: string) => `${options.keyPrefix}:${createHash('sha256').update(token).digest('hex')}`;
  await db.query(`CREATE TABLE IF NOT EXISTS bench_floor_calls (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, org_id text NOT NULL, customer_id text NOT NULL,
    check_name text NOT NULL, upstream_status int NOT NULL, reply text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
  await redis.set(keyName(options.apiKey), 'bench-org');

  const u = new URL(options.upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const forward = (body: string) =>
    new Promise<Reply>((resolve, reject) => {
      const out = http.request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          agent,
          headers: { ...options.upstreamHeaders, 'content-length': Buffer.byteLength(body) },
        },
        (up) => {
          const chunks: Buffer[] = [];
          up.on('data', (c: Buffer) => chunks.push(c));
          up.on('end', () =>
            resolve({
              status: up.statusCode ?? 502,
              contentType: up.headers['content-type'] ?? 'application/json',
              body: Buffer.concat(chunks),
            }),
          );
          up.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.post('/v1/verifications', express.json(), async (req, res) => {
    const token = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    const orgId = token ? await redis.get(keyName(token)) : null;
    if (!orgId) return void res.status(401).json({ error: 'unauthorized' });
    const { customerId, check, input } = req.body as {
      customerId?: string;
      check?: string;
      input?: { idNumber?: string; faceImage?: string };
    };
    const reply = await forward(JSON.stringify({ id_number: input?.idNumber, face_image: input?.faceImage }));
    await db.query('INSERT INTO bench_floor_calls (org_id, customer_id, check_name, upstream_status, reply) VALUES ($1, $2, $3, $4, $5)', [
      orgId,
      String(customerId),
      String(check),
      reply.status,
      reply.body.toString('utf8'),
    ]);
    res.status(reply.status).type(reply.contentType).send(reply.body);
  });
  const onError: ErrorRequestHandler = (_err, _req, res, _next) => void res.status(502).json({ error: 'floor app failed' });
  app.use(onError);

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/verifications`,
    rows: async () => Number((await db.query<{ n: number }>('SELECT count(*) AS n FROM bench_floor_calls')).rows[0]?.n ?? 0),
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      agent.destroy();
      await redis.del(keyName(options.apiKey));
    },
  };
}
