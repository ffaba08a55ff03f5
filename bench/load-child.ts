/**
 * The closed-loop load generator, run as a child process by bench/children.ts so that neither its CPU
 * nor its event loop is the measured server's. Per run message: `concurrency` clients on one keep-alive
 * agent (no pipelining), each sending the next POST when the previous answer has been read, until
 * `seconds` are over; answers { requests, errors (non-200 or failed), rps, p50, p99 (ms) }.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { LoadRequest, RunResult } from './children';

async function run({ target, concurrency, seconds }: LoadRequest): Promise<RunResult> {
  const { url, headers, body } = target;
  const u = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  const once = () =>
    new Promise<void>((resolve) => {
      const start = performance.now();
      const req = http.request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          agent,
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 200) errors++;
            latencies.push(performance.now() - start);
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  const began = performance.now();
  const deadline = began + seconds * 1000;
  const client = async () => {
    while (performance.now() < deadline) await once();
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const elapsed = (performance.now() - began) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] ?? 0;
  return { requests: latencies.length, errors, rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99) };
}

process.on('message', (m: LoadRequest & { id: number }) => {
  void run(m).then((result) => process.send?.({ id: m.id, result }));
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
