/**
 * The integrators' endpoint of bench/webhook-delivery.ts, as a child process so its CPU is not the worker's.
 * Answers 200 at once and notes when each request arrived (wall clock with sub-ms precision, comparable
 * across processes on one machine), keyed by `Verigate-Event-Id` or, for the baselines, `X-Bench-Id`. Sends
 * { url } once listening; answers { dump: true } with what it noted since the last dump. Exits when the
 * parent disconnects.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

let arrivals: Array<[string, number]> = [];
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    arrivals.push([
      String(req.headers['verigate-event-id'] ?? req.headers['x-bench-id'] ?? ''),
      performance.timeOrigin + performance.now(),
    ]);
    res.writeHead(200, { 'content-length': '0' }).end();
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ ready: true, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
process.on('message', (m: { dump?: boolean }) => {
  if (!m.dump) return;
  process.send?.({ arrivals });
  arrivals = [];
});
process.on('disconnect', () => server.close(() => process.exit(0)));
