import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppDeps } from '../deps';
import { allRoutes, createApp } from './app';
import { answerClientErrors } from './client-errors';
import type { RouteSpec } from './route';

/** The API, listening. */
export interface ApiServer {
  url: string;
  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then cuts what is left. */
  close(graceMs: number): Promise<void>;
}

export interface ApiServerOptions {
  port: number;
  host: string;
  /** Routes served beside the API's own (tests that need a deliberately slow endpoint). */
  extraRoutes?: RouteSpec[];
}

/** Serves the API on `port` and `host`. */
export async function startApiServer(deps: AppDeps, { port, host, extraRoutes = [] }: ApiServerOptions): Promise<ApiServer> {
  const server = createApp(deps, [...allRoutes(deps), ...extraRoutes]).listen(port, host);
  answerClientErrors(server);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port: bound } = server.address() as AddressInfo;
  return { url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${bound}`, close: (graceMs) => closeServer(server, graceMs) };
}

/**
 * server.close() stops accepting and waits for open connections. Keep-alive connections go idle once
 * their in-flight response is sent, so idle ones are closed as they appear; after the grace period
 * whatever is left is cut.
 */
function closeServer(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const sweeper = setInterval(() => server.closeIdleConnections(), 50);
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const cut = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, graceMs);
  });
  return Promise.race([closed, cut]).finally(() => {
    clearTimeout(timer);
    clearInterval(sweeper);
  });
}
