import http from 'node:http';
import https from 'node:https';
import { pinnedLookup } from '../net/public-address';

export interface SendOutcome {
  /** The endpoint's status; null when none came back. */
  httpStatus: number | null;
  latencyMs: number;
  /** What went wrong, for the delivery log: never the URL (it may hold a token) nor the answer's body. */
  error: string | null;
}

// Keep-alive: a busy endpoint is reached over a few reused connections. A reused socket goes to an address
// that was checked when it was opened; every new one goes to the address checked for this try (pinned).
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/** Largest part of an answer read (then dropped): the status is all a delivery needs. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * POSTs `body` to `url`, connecting only to the checked `address` (no second resolution), following no
 * redirect (a 3xx is a failure, as for Stripe), giving up after `timeoutMs` for the whole exchange.
 */
export function postWebhook(
  url: URL,
  check: { address: string; family: 4 | 6 },
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<SendOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: Omit<SendOutcome, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, latencyMs: elapsed() });
    };
    const req = client.request(
      url,
      {
        method: 'POST',
        agent: agents[url.protocol as 'http:' | 'https:'],
        lookup: pinnedLookup(check),
        headers: { ...headers, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) res.destroy();
        });
        const status = res.statusCode ?? null;
        const ok = status !== null && status >= 200 && status < 300;
        const done = () => finish({ httpStatus: status, error: ok ? null : `HTTP ${status}` });
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      },
    );
    const timer = setTimeout(() => {
      finish({ httpStatus: null, error: `timed out after ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => finish({ httpStatus: null, error: err.code ?? err.message }));
    req.end(body);
  });
}
