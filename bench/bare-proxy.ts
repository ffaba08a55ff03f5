import http, { type Server } from 'node:http';

/** B1: forwards method, path, headers and body to `upstream` over a keep-alive agent, nothing else. */
export function startBareProxy(upstream: string): Promise<Server> {
  const u = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const server = http.createServer((req, res) => {
    const out = http.request({ host: u.hostname, port: u.port, path: req.url, method: req.method, headers: req.headers, agent }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => {
      res.writeHead(502).end();
    });
    req.pipe(out);
  });
  server.on('close', () => agent.destroy());
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
