/**
 * Writes the SDK's typed view of the API from the OpenAPI document (`/openapi.json`): every operation's
 * method, path and scope, and the TypeScript types of its path parameters, query and JSON body, converted
 * from the document's JSON Schemas (the zod request schemas of the server). Pure: document in, source out.
 */

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  description?: string;
};

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}

interface Operation {
  operationId: string;
  summary?: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
  'x-scope'?: string;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: { ErrorCode: { enum: string[] } } };
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const key = (name: string) => (IDENTIFIER.test(name) ? name : JSON.stringify(name));

/** A JSON Schema (2020-12, as zod 4 writes it) as a TypeScript type; what it cannot say precisely is `unknown`. */
export function typeOf(schema: Schema | undefined, indent = ''): string {
  if (!schema || Object.keys(schema).length === 0) return 'unknown';
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return union.map((s) => typeOf(s, indent)).join(' | ');
  if (schema.allOf) return schema.allOf.map((s) => `(${typeOf(s, indent)})`).join(' & ');
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length > 1) return types.map((t) => typeOf({ ...schema, type: t }, indent)).join(' | ');
  switch (types[0]) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return `Array<${typeOf(schema.items, indent)}>`;
    case 'object':
      return objectType(schema, indent);
    default:
      return 'unknown';
  }
}

function objectType(schema: Schema, indent: string): string {
  const inner = `${indent}  `;
  const required = new Set(schema.required ?? []);
  const members = Object.entries(schema.properties ?? {}).map(
    ([name, property]) => `${inner}${key(name)}${required.has(name) ? '' : '?'}: ${typeOf(property, inner)};`,
  );
  const extra = schema.additionalProperties;
  if (extra && typeof extra === 'object') members.push(`${inner}[key: string]: ${typeOf(extra, inner)};`);
  if (members.length === 0) return extra === false ? 'Record<string, never>' : 'Record<string, unknown>';
  return `{\n${members.join('\n')}\n${indent}}`;
}

/** The generated module's source. */
export function generateSdkTypes(doc: OpenApiDocument): string {
  const operations = Object.entries(doc.paths)
    .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })))
    .sort((a, b) => a.op.operationId.localeCompare(b.op.operationId));
  const table = operations.map(
    ({ path, method, op }) =>
      `  ${op.operationId}: { method: '${method}', path: '${path}', scope: ${op['x-scope'] ? `'${op['x-scope']}'` : 'null'} },`,
  );
  const params = (op: Operation, where: 'path' | 'query') => {
    const list = (op.parameters ?? []).filter((p) => p.in === where);
    if (list.length === 0) return 'never';
    return `{\n${list.map((p) => `    ${key(p.name)}${p.required ? '' : '?'}: ${typeOf(p.schema, '    ')};`).join('\n')}\n  }`;
  };
  const body = (op: Operation) => {
    const schema = op.requestBody?.content['application/json']?.schema;
    return schema ? typeOf(schema, '  ') : 'never';
  };
  const block = (name: string, doc: string, of: (op: Operation) => string) =>
    [`/** ${doc} */`, `export interface ${name} {`, ...operations.map(({ op }) => `  ${op.operationId}: ${of(op)};`), '}'].join('\n');
  return [
    "// Generated from the API's /openapi.json by sdk/scripts/generate.ts: do not edit. `npm run generate -w sdk` rewrites it.",
    '',
    '/** Every operation of the API: its method, path template and the scope its key needs. */',
    'export const OPERATIONS = {',
    ...table,
    '} as const;',
    '',
    'export type OperationId = keyof typeof OPERATIONS;',
    '',
    block('PathParams', "Each operation's path parameters (`never`: its path has none).", (op) => params(op, 'path')),
    '',
    block('QueryParams', "Each operation's query parameters (`never`: it takes none).", (op) => params(op, 'query')),
    '',
    block('RequestBodies', "Each operation's JSON body (`never`: it takes none).", body),
    '',
    '/** Every error code of the catalog (config/error-catalog.json). */',
    `export type ErrorCode =\n${doc.components.schemas.ErrorCode.enum.map((c) => `  | '${c}'`).join('\n')};`,
    '',
  ].join('\n');
}
