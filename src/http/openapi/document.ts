import { z } from 'zod';
import { placeholders, renderMessage, type CatalogEntry, type ErrorCatalog } from '../../errors/catalog';
import type { RouteSpec } from '../route';
import { ErrorBodySchema } from './error-body';
import type { RouteDoc } from './route-docs';

/** Codes that any path can answer (an unknown path, a method the path does not have): listed once, at the top. */
// Framing faults the HTTP parser answers before any route is matched, in the suite's model.
export const GLOBAL_ERROR_CODES = ['route_not_found', 'method_not_allowed', 'request_headers_too_large', 'request_timeout'] as const;

export interface DocumentOptions {
  /** API version shown in `info.version` (the package version). */
  version: string;
  /** Per-route prose, success answers, own error codes and examples, keyed `METHOD path`. */
  docs: Record<string, RouteDoc>;
  catalog: ErrorCatalog;
}

type Json = Record<string, unknown>;

/** `METHOD path` of a route, as the docs table keys it. */
export const routeKey = (spec: Pick<RouteSpec, 'method' | 'path'>): string => `${spec.method.toUpperCase()} ${spec.path}`;

/** Express `/v1/customers/:id` as OpenAPI `/v1/customers/{id}`. */
export const openApiPath = (path: string): string => path.replace(/:(\w+)/g, '{$1}');

/**
 * The OpenAPI 3.1 document of `routes`, generated from what the app itself runs on: each route's method,
 * path, scope, rate limit and zod request schemas (as JSON Schema 2020-12, the input side), the error
 * catalog's codes with an example body each, and the docs table's prose and examples.
 */
export function openApiDocument(routes: readonly RouteSpec[], options: DocumentOptions): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const spec of routes) {
    const path = openApiPath(spec.path);
    paths[path] ??= {};
    paths[path][spec.method] = operation(spec, options);
  }
  const codes = options.catalog.entries();
  return {
    openapi: '3.1.0',
    info: {
      title: 'verigate',
      version: options.version,
      description:
        'One identity-verification API in front of an in-house engine and several KYC vendors. ' +
        'Every error has one shape (`ErrorBody`); its `code` is one of `ErrorCode`. ' +
        `Any path can also answer ${GLOBAL_ERROR_CODES.map((c) => `\`${c}\``).join(' and ')}.`,
    },
    servers: [{ url: '/' }],
    tags: [...new Set(routes.map((r) => tagOf(r, options.docs[routeKey(r)])))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API key, `vk_test_...` (sandbox: reaches only the simulators) or `vk_live_...`. Each route names the scope it needs.',
        },
      },
      schemas: {
        ErrorBody: jsonSchema(ErrorBodySchema, 'output'),
        ErrorCode: {
          type: 'string',
          enum: codes.map((e) => e.code),
          'x-catalog': codes.map((e) => ({ code: e.code, status: e.status, type: e.type, message: e.message, retryable: e.retryable })),
        },
      },
      responses: Object.fromEntries(GLOBAL_ERROR_CODES.map((code) => [code, errorResponse([options.catalog.get(code)])])),
    },
  };
}

function operation(spec: RouteSpec, options: DocumentOptions): Json {
  const doc = options.docs[routeKey(spec)];
  const body = spec.body ?? doc?.body;
  const parameters = [...pathParameters(spec.path), ...queryParameters(spec.query)];
  if (spec.method === 'post') {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'Makes a retry safe: the first answer is stored and replayed byte for byte (at least 24 h). 1 to 255 printable ASCII characters.',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    });
  }
  const notes = [
    doc?.description,
    spec.scope ? `Scope: \`${spec.scope}\`.` : 'No key needed.',
    spec.rateLimit
      ? `Rate-limited per key${typeof spec.rateLimit === 'string' ? ` (\`${spec.rateLimit}\`, config/rate-limits.json)` : ' (the operation depends on the body)'}.`
      : undefined,
  ].filter(Boolean);
  const op: Json = {
    operationId: doc?.operationId ?? fallbackOperationId(spec),
    summary: doc?.summary ?? routeKey(spec),
    description: notes.join('\n\n'),
    tags: [tagOf(spec, doc)],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(spec.scope ? { security: [{ apiKey: [spec.scope] }], 'x-scope': spec.scope } : { security: [] }),
  };
  if (typeof spec.rateLimit === 'string') op['x-rate-limit'] = spec.rateLimit;
  if (body) {
    const media: Json = { schema: jsonSchema(body, 'input') };
    if (doc?.requestExample !== undefined) media.example = doc.requestExample;
    op.requestBody = { required: true, content: { 'application/json': media } };
  }
  const success: Json = { description: doc?.summary ?? 'Success' };
  const contentType = doc?.contentType ?? 'application/json';
  success.content = { [contentType]: doc?.responseExample !== undefined ? { example: doc.responseExample } : {} };
  const responses: Json = { [String(doc?.status ?? 200)]: success };
  const byStatus = new Map<number, CatalogEntry[]>();
  for (const code of errorCodes(spec, doc)) {
    const entry = options.catalog.get(code);
    byStatus.set(entry.status, [...(byStatus.get(entry.status) ?? []), entry]);
  }
  for (const [status, entries] of [...byStatus].sort(([a], [b]) => a - b)) responses[String(status)] = errorResponse(entries);
  op.responses = responses;
  return op;
}

/** What the spec implies every route of its kind can answer, then the route's own codes. */
export function errorCodes(spec: RouteSpec, doc: RouteDoc | undefined): string[] {
  const codes: string[] = [];
  if (spec.scope) codes.push('api_key_missing', 'api_key_invalid', 'missing_scope', 'operator_key_not_accepted');
  if (spec.operator) codes.push('api_key_missing', 'api_key_invalid', 'operator_key_required');
  // The console's session cookie stands for an operator key; a change made with it needs its CSRF token.
  if (spec.operator && spec.method !== 'get') codes.push('csrf_token_invalid');
  if (spec.paidVendorCalls) codes.push('spend_cap_reached');
  if (spec.rateLimit) codes.push('rate_limited', 'service_unavailable');
  if (spec.method !== 'get' && spec.method !== 'delete')
    codes.push('invalid_json', 'invalid_encoding', 'unsupported_media_type', 'payload_too_large');
  if (spec.body || spec.query || doc?.body || /:\w+/.test(spec.path)) codes.push('invalid_request');
  if (spec.method === 'post') codes.push('idempotency_key_invalid', 'idempotency_key_in_use', 'idempotency_key_reused');
  if (/:\w+/.test(spec.path)) codes.push('resource_not_found');
  codes.push(...(doc?.errors ?? []), 'internal_error');
  return [...new Set(codes)];
}

function errorResponse(entries: CatalogEntry[]): Json {
  const codes = entries.map((e) => e.code);
  return {
    description: entries.map((e) => `\`${e.code}\`: ${e.message}`).join('; '),
    content: {
      'application/json': {
        schema: {
          allOf: [{ $ref: '#/components/schemas/ErrorBody' }, { properties: { error: { properties: { code: { enum: codes } } } } }],
        },
        examples: Object.fromEntries(entries.map((e) => [e.code, { summary: e.message, value: exampleBody(e) }])),
      },
    },
  };
}

/** An error body as the serialiser writes it, the message filled with the seed's example or the placeholder's name. */
function exampleBody(entry: CatalogEntry): Json {
  const params = Object.fromEntries(placeholders(entry.message).map((name) => [name, entry.seed?.example?.[name] ?? `<${name}>`]));
  return {
    error: {
      code: entry.code,
      message: renderMessage(entry.message, params),
      type: entry.type,
      status: entry.status,
      retryable: entry.retryable,
      charged: null,
      provider: null,
      upstream: null,
      param: null,
      requestId: 'req_...',
    },
  };
}

function pathParameters(path: string): Json[] {
  return [...path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
}

/** One parameter per property of the query schema (an object schema, as every route's query is). */
function queryParameters(query: z.ZodType | undefined): Json[] {
  if (!query) return [];
  const schema = jsonSchema(query, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: schema.required?.includes(name) ?? false,
    schema: property,
  }));
}

/** A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect); what JSON cannot express (a refinement) is left open. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  return rest;
}

function tagOf(spec: RouteSpec, doc: RouteDoc | undefined): string {
  if (doc?.tag) return doc.tag;
  const segments = spec.path.split('/').filter(Boolean);
  return (segments[0] === 'v1' ? segments[1] : segments[0]) ?? 'meta';
}

function fallbackOperationId(spec: RouteSpec): string {
  return `${spec.method}${spec.path.replace(/[^A-Za-z0-9]+(\w)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`;
}
