import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { match } from 'path-to-regexp';
import { AppError } from '../errors/app-error';
import type { Logger } from '../logger';
import type { AppDeps } from '../deps';
import { logError, serialiseError } from './error-response';
import { httpMetrics, recordHttpMetrics } from './http-metrics';
import { authenticate, authenticateOperator } from './middleware/authenticate';
import { requireCapability } from './middleware/capability';
import { jsonBody, noBody } from './middleware/json-body';
import { rawBody } from './middleware/raw-body';
import { rateLimit } from './middleware/rate-limit';
import { requestContext } from './middleware/request-context';
import { spendCap } from './middleware/spend-cap';
import type { RouteSpec } from './route';
import { runRoute } from './run-route';
import { customerRoutes } from './routes/customers';
import { docsRoutes } from './routes/docs';
import { dukcapilRoutes } from './routes/dukcapil';
import { engineRoutes } from './routes/engine';
import { faceRoutes } from './routes/faces';
import { financeRoutes } from './routes/finance';
import { keyRoutes } from './routes/keys';
import { kycRoutes } from './routes/kyc';
import { mappingTableRoutes } from './routes/mapping-table';
import { operatorRoutes } from './routes/operators';
import { metaRoutes } from './routes/meta';
import { metricsRoutes } from './routes/metrics';
import { passkeyRoutes } from './routes/passkeys';
import { providerRoutes } from './routes/providers';
import { routingRoutes } from './routes/routing';
import { usageRoutes } from './routes/usage';
import { verificationRoutes } from './routes/verifications';
import { inboundWebhookRoutes } from './routes/inbound-webhooks';
import { webhookRoutes } from './routes/webhooks';
import { CONSOLE_PATH, consoleRouter } from './console/router';

/** Every route of the API. Later capabilities add their lists here; /openapi.json documents them all. */
export function allRoutes(deps: AppDeps): RouteSpec[] {
  const routes: RouteSpec[] = [
    ...metaRoutes(deps),
    ...mappingTableRoutes(deps),
    ...keyRoutes(deps),
    ...customerRoutes(deps),
    ...verificationRoutes(deps),
    ...usageRoutes(deps),
    ...financeRoutes(deps),
    ...routingRoutes(deps),
    ...providerRoutes(deps),
    ...metricsRoutes(deps),
    ...engineRoutes(deps),
    ...faceRoutes(deps),
    ...passkeyRoutes(deps),
    ...kycRoutes(deps),
    ...dukcapilRoutes(deps),
    ...inboundWebhookRoutes(deps),
    ...webhookRoutes(deps),
    ...operatorRoutes(deps),
  ];
  routes.push(...docsRoutes(deps, () => routes));
  return routes;
}

/**
 * The Express app: request ids and logs, then each declared route with its chain (auth and scope, rate
 * limit, body, idempotency, validation), then 405/404, then the one error handler.
 */
export function createApp(deps: AppDeps, routes: RouteSpec[] = allRoutes(deps)): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(requestContext(deps.logger));
  app.use(recordHttpMetrics(httpMetrics(deps)));

  for (const spec of routes) {
    const chain: RequestHandler[] = [];
    if (spec.scope) chain.push(authenticate(deps, spec.scope));
    if (spec.operator) chain.push(authenticateOperator(deps));
    if (spec.capability) chain.push(requireCapability(deps, spec.capability));
    if (spec.paidVendorCalls) {
      if (!spec.rateLimit) throw new Error(`${spec.method.toUpperCase()} ${spec.path} calls paid vendors: it needs a rateLimit`);
      chain.push(spendCap(deps));
    }
    if (typeof spec.rateLimit === 'string') chain.push(rateLimit(deps, spec.rateLimit));
    if (spec.method !== 'get' && spec.method !== 'delete') {
      const limit = spec.bodyLimitBytes ?? deps.config.http.jsonBodyLimitBytes;
      chain.push(spec.rawBody ? rawBody(limit) : jsonBody(limit, deps.config.http.jsonMaxDepth));
    } else chain.push(noBody());
    app[spec.method](spec.path, ...chain, runRoute(deps, spec));
  }

  // The ops console: pages for people (not API routes), signed in with an operator key.
  app.use(CONSOLE_PATH, consoleRouter(deps));
  app.use(unmatched(routes));
  app.use(errorHandler(deps.logger));
  return app;
}

/** 405 with `Allow` when the path exists under other methods, else 404. */
function unmatched(routes: RouteSpec[]): RequestHandler {
  const matchers = routes.map((r) => ({ method: r.method.toUpperCase(), test: match(r.path, { decode: decodeURIComponent }) }));
  return (req, res, next) => {
    const allowed = [...new Set(matchers.filter((m) => m.test(req.path)).map((m) => m.method))];
    if (allowed.length === 0) return next(new AppError('route_not_found', { params: { method: req.method, path: req.path } }));
    if (allowed.includes('GET')) allowed.push('HEAD');
    res.setHeader('Allow', allowed.join(', '));
    next(new AppError('method_not_allowed', { params: { method: req.method, path: req.path } }));
  };
}

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const reply = serialiseError(err, res.locals.requestId as string);
    logError(logger, err, reply);
    res.locals.errorCode = reply.body.error.code;
    if (res.headersSent) return res.destroy();
    for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
    res.status(reply.status).type('application/json').send(JSON.stringify(reply.body));
  };
}
