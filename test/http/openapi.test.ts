import { execFile } from 'node:child_process';
import { errorCatalog } from '../../src/errors/catalog';
import { allRoutes, createApp } from '../../src/http/app';
import { GLOBAL_ERROR_CODES, openApiPath, routeKey } from '../../src/http/openapi/document';
import { ErrorBodySchema } from '../../src/http/openapi/error-body';
import { ROUTE_DOCS } from '../../src/http/openapi/route-docs';
import { startTestApp, type TestApp } from '../helpers/test-app';

type Operation = {
  operationId: string;
  security: Array<Record<string, string[]>>;
  responses: Record<
    string,
    {
      content?: Record<
        string,
        { schema?: { allOf?: Array<{ properties?: { error?: { properties?: { code?: { enum?: string[] } } } } }> } }
      >;
    }
  >;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: { ErrorCode: { enum: string[] } } };
};

/**
 * Validates a document with @apidevtools/swagger-parser (the OpenAPI 3.1 schema, then its $refs). The
 * validator is an ES module that jest's CommonJS runtime cannot load, so it runs in a node child process.
 */
function validateOpenApi(document: unknown): Promise<{ valid: boolean; message: string }> {
  const script =
    "require('@apidevtools/swagger-parser').validate(JSON.parse(require('node:fs').readFileSync(0, 'utf8')))" +
    ".then(() => process.stdout.write('valid'), (e) => process.stdout.write(String(e.message)))";
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['-e', script], { timeout: 30_000 }, (err, stdout) =>
      err ? reject(err) : resolve({ valid: stdout === 'valid', message: stdout }),
    );
    child.stdin?.end(JSON.stringify(document));
  });
}

let app: TestApp;
let doc: Document;
beforeAll(async () => {
  app = await startTestApp();
  const res = await app.request('GET', '/openapi.json');
  expect(res.status).toBe(200);
  doc = (await res.json()) as Document;
});
afterAll(() => app?.close());

/** Every method and path the Express router really serves: read from the router, not from the route table. */
function servedRoutes(): Array<{ method: string; path: string }> {
  const express = createApp(app.deps) as unknown as {
    router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> };
  };
  return express.router.stack.flatMap((layer) =>
    layer.route
      ? Object.keys(layer.route.methods)
          .filter((m) => m !== '_all')
          .map((method) => ({ method, path: layer.route!.path }))
      : [],
  );
}

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));

/** The codes an operation documents for one status. */
const documentedCodes = (op: Operation, status: number): string[] =>
  op.responses[String(status)]?.content?.['application/json']?.schema?.allOf?.[1]?.properties?.error?.properties?.code?.enum ?? [];

describe('/openapi.json', () => {
  it('when the document is fetched, then it is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(await validateOpenApi(doc)).toEqual({ valid: true, message: 'valid' });
    // The validator does refuse a broken document: a parameter in no place, a dangling $ref.
    const nowhere = JSON.parse(JSON.stringify(doc).replace('"in":"query"', '"in":"nowhere"'));
    expect((await validateOpenApi(nowhere)).valid).toBe(false);
    const dangling = JSON.parse(JSON.stringify(doc).replace('#/components/schemas/ErrorBody', '#/components/schemas/Nope'));
    expect((await validateOpenApi(dangling)).valid).toBe(false);
  });

  it('when the router serves a route, then the document has it, and nothing more', () => {
    const served = servedRoutes();
    expect(served.length).toBeGreaterThan(40);
    const missing = served.filter((r) => !doc.paths[openApiPath(r.path)]?.[r.method]).map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(missing).toEqual([]);
    expect(operations()).toHaveLength(served.length);
  });

  it('when a route is declared, then the docs table describes it (and only declared routes)', () => {
    const declared = allRoutes(app.deps).map(routeKey);
    expect(declared.filter((key) => !ROUTE_DOCS[key])).toEqual([]);
    expect(Object.keys(ROUTE_DOCS).filter((key) => !declared.includes(key))).toEqual([]);
    const ids = operations().map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('when the catalog lists a code, then some operation (or the global list) documents it, under its status', () => {
    const catalog = errorCatalog();
    expect(doc.components.schemas.ErrorCode.enum).toEqual(catalog.entries().map((e) => e.code));
    const documented = new Set<string>(GLOBAL_ERROR_CODES);
    for (const { op } of operations()) {
      for (const status of Object.keys(op.responses).map(Number)) {
        for (const code of documentedCodes(op, status)) {
          expect(catalog.get(code).status).toBe(status);
          documented.add(code);
        }
      }
    }
    expect(
      catalog
        .entries()
        .filter((e) => !documented.has(e.code))
        .map((e) => e.code),
    ).toEqual([]);
  });

  it('when a keyed route is called without a key, then it answers the documented 401 with the documented body', async () => {
    const keyed = operations().filter((o) => o.op.security.length > 0);
    expect(keyed.length).toBeGreaterThan(30);
    for (const { path, method, op } of keyed) {
      const res = await app.request(method.toUpperCase(), path.replace(/\{\w+\}/g, 'x_1'));
      expect({ path, method, status: res.status }).toEqual({ path, method, status: 401 });
      const body = ErrorBodySchema.parse(await res.json());
      expect(documentedCodes(op, 401)).toContain(body.error.code);
      expect(op.security[0]).toEqual({ apiKey: [expect.stringMatching(/^[a-z]+:[a-z]+$/)] });
    }
  });

  it('when a key lacks the scope or the body is wrong, then the answer is one the document lists', async () => {
    const t = await app.tenant(['customers:view']);
    const denied = await app.request('POST', '/v1/customers', { key: t.key, body: { externalRef: 'x' } });
    expect(documentedCodes(doc.paths['/v1/customers']!.post!, 401)).toContain(ErrorBodySchema.parse(await denied.json()).error.code);
    const writer = await app.tenant(['customers:write']);
    const bad = await app.request('POST', '/v1/customers', { key: writer.key, body: { externalRef: 'x', extra: 1 } });
    expect(bad.status).toBe(400);
    expect(documentedCodes(doc.paths['/v1/customers']!.post!, 400)).toContain(ErrorBodySchema.parse(await bad.json()).error.code);
  });
});

describe('/docs', () => {
  it('when the page is fetched, then it and its assets come from this server, and nothing else is reachable under it', async () => {
    const page = await (await app.request('GET', '/docs')).text();
    const assets = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(assets.length).toBe(3);
    for (const asset of assets) {
      expect(asset.startsWith('/docs/assets/')).toBe(true);
      const res = await app.request('GET', asset);
      expect(res.status).toBe(200);
      expect((await res.text()).length).toBeGreaterThan(100);
    }
    expect((await app.request('GET', '/docs/assets/package.json')).status).toBe(404);
    expect((await app.request('GET', '/docs/assets/..%2Fpackage.json')).status).toBe(404);
  });
});
