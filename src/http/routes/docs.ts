import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AppDeps } from '../../deps';
import { AppError } from '../../errors/app-error';
import { errorCatalog } from '../../errors/catalog';
import { openApiDocument } from '../openapi/document';
import { ROUTE_DOCS } from '../openapi/route-docs';
import { route, type RouteSpec } from '../route';

const PACKAGE_VERSION = (JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string })
  .version;

// Swagger UI from its npm package, served by the gateway itself: the reference page needs no CDN.
const SWAGGER_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));

// Kept out of the page itself so a strict Content-Security-Policy (script-src 'self') can front it.
const INIT_JS = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#reference', deepLinking: true, presets: [SwaggerUIBundle.presets.apis] });
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>verigate API reference</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="reference"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/init.js"></script>
</body>
</html>
`;

/** The files /docs/assets serves, by name: nothing else of the package (or the disk) is reachable. */
const ASSETS: Record<string, { type: string; read: () => string }> = {
  'swagger-ui.css': { type: 'text/css; charset=utf-8', read: () => readFileSync(path.join(SWAGGER_DIR, 'swagger-ui.css'), 'utf8') },
  'swagger-ui-bundle.js': {
    type: 'text/javascript; charset=utf-8',
    read: () => readFileSync(path.join(SWAGGER_DIR, 'swagger-ui-bundle.js'), 'utf8'),
  },
  'init.js': { type: 'text/javascript; charset=utf-8', read: () => INIT_JS },
};

/**
 * `/openapi.json`, generated once from `routes()` (the app's whole route table, these routes included), and
 * the reference page at `/docs` that renders it.
 */
export function docsRoutes(_deps: AppDeps, routes: () => readonly RouteSpec[]): RouteSpec[] {
  let document: string | undefined;
  const assets = new Map<string, string>();
  return [
    route({
      method: 'get',
      path: '/openapi.json',
      handler: async () => {
        document ??= JSON.stringify(openApiDocument(routes(), { version: PACKAGE_VERSION, docs: ROUTE_DOCS, catalog: errorCatalog() }));
        return { status: 200, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: document };
      },
    }),
    route({
      method: 'get',
      path: '/docs',
      handler: async () => ({ status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: PAGE }),
    }),
    route({
      method: 'get',
      path: '/docs/assets/:file',
      handler: async ({ params }) => {
        const name = params.file as string;
        const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
        if (!asset) throw new AppError('resource_not_found', { params: { resource: 'asset' }, param: 'file' });
        if (!assets.has(name)) assets.set(name, asset.read());
        return {
          status: 200,
          headers: { 'Content-Type': asset.type, 'Cache-Control': 'public, max-age=3600' },
          body: assets.get(name) as string,
        };
      },
    }),
  ];
}
