import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  eventId: string;
  body: string;
  signature: string;
  at: number;
  /** The status the receiver answered. */
  status: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Requests read and not yet answered. */
  inFlight: number;
  /** Status to answer each request with (default 200); may wait first. */
  answer: (r: { eventId: string; body: string }) => number | Promise<number>;
  /** Resolves once `n` requests were answered 2xx. */
  delivered(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A real integrator endpoint on a free loopback port, recording every request. */
export async function startReceiver(): Promise<Receiver> {
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const ok = () => receiver.received.filter((r) => r.status >= 200 && r.status < 300).length;
  const server: Server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const eventId = String(req.headers['verigate-event-id'] ?? '');
      receiver.inFlight += 1;
      const status = await receiver.answer({ eventId, body });
      receiver.inFlight -= 1;
      res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
      receiver.received.push({ eventId, body, signature: String(req.headers['verigate-signature'] ?? ''), at: Date.now(), status });
      for (const w of [...waiters]) if (ok() >= w.n) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const receiver: Receiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received: [],
    inFlight: 0,
    answer: () => 200,
    delivered: (n, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        if (ok() >= n) return resolve();
        const timer = setTimeout(() => reject(new Error(`receiver got ${ok()} of ${n} deliveries in ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
      }),
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
  return receiver;
}
