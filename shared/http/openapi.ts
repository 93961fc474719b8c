/**
 * The OpenAPI 3.1 document of the layer's HTTP API, generated from the same zod schemas that
 * validate requests (JSON Schema 2020-12 is OpenAPI 3.1's schema dialect). Its paths are the
 * catalog's http routes (infra/catalog.ts, handed in by the caller: this edge module does not read
 * the catalog), each documented by its entry in the route registry (./openapi-registry.ts,
 * filled by ./openapi-routes.ts): the query parameters are the keys of the zod object the handler
 * parses its query with, the bodies are the zod schemas it parses and answers with.
 *
 * A copy is committed at shared/http/openapi.json (`npm run openapi` rewrites it), served at
 * GET /openapi.json and rendered at GET /docs; test/unit/openapi.test.ts fails when it is stale,
 * when a catalog route has no entry, and when `redocly lint` finds an error.
 */
import * as z from 'zod';
import './openapi-routes';
import { problemJsonSchema } from './debt-position-schemas';
import { routeDoc, type BodySchema, type HttpMethod, type JsonSchema, type ResponseDoc, type RouteDoc } from './openapi-registry';

type Json = Record<string, unknown>;

/** An http route of the catalog, as the document needs it. */
export interface DocumentedRoute {
  readonly method: HttpMethod;
  readonly path: string;
  readonly authenticated: boolean;
}

const COMPONENT = '#/components/schemas/';
const TO_JSON = { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' } as const;

export const TAGS: ReadonlyArray<{ readonly name: string; readonly description: string }> = [
  { name: 'Debt positions', description: 'pagoPA GPD v1: create, read, list, replace, publish, invalidate and delete debt positions.' },
  { name: 'Payment notices', description: 'The printable pagoPA notices (avvisi di pagamento) of payable positions.' },
  { name: 'Receipts', description: 'What was paid: receipts applied, receipts that could not be applied, the signed receipt webhook.' },
  { name: 'Webhooks', description: 'Back-office endpoints told of payments and position changes (signed).' },
  { name: 'App IO', description: 'The message templates of the citizens\u2019 App IO messages.' },
  { name: 'Debtors', description: 'A citizen\u2019s dossier at the organization.' },
  { name: 'pagoPA node', description: 'The creditor station the pagoPA node calls (SOAP paForNode).' },
  { name: 'Platform', description: 'Health, this document and its browsable reference.' },
];

export function buildOpenApiDocument(routes: readonly DocumentedRoute[]): Json {
  const registered = registeredSchemas();
  const named: Record<string, JsonSchema> = {};
  const paths: Record<string, Record<string, Json>> = {};
  const missing: string[] = [];
  for (const route of routes) {
    const doc = routeDoc(route.method, route.path);
    if (!doc) {
      missing.push(`${route.method} ${route.path}`);
      continue;
    }
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route, doc, named);
  }
  if (missing.length > 0) {
    throw new Error(`routes without documentation (register their schemas in shared/http/openapi-routes.ts): ${missing.join(', ')}`);
  }
  const schemas = { ...referencedComponents({ paths, named }, registered), ...named };
  return {
    openapi: '3.1.0',
    info: {
      title: 'pagoPA municipal layer (GPD v1 compatible)',
      version: '1.0.0',
      summary: 'Debt positions, notices, receipts and messages for the creditor organizations of one deployment.',
      description:
        'Back-office API for creditor organizations, compatible with pagoPA GPD v1 (the same paths, field names and status codes). ' +
        'Amounts are integer euro cents; dates without an offset are Europe/Rome time, dates written by the layer are ISO-8601 UTC. ' +
        'Errors are RFC 7807 ProblemJson with an `errors` list naming every offending field. ' +
        'Every response carries `X-Request-Id`: the caller\u2019s, when it sent a well-formed one.',
      license: { name: 'Proprietary: the API of this deployment', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: '/', description: 'This deployment' }],
    security: [{ ApiKey: [] }],
    tags: TAGS,
    paths,
    components: {
      schemas: sortKeys(schemas),
      parameters: {
        XRequestId: {
          name: 'X-Request-Id',
          in: 'header',
          required: false,
          description: 'An id of the caller\u2019s choosing (1..128 of letters, digits and -_.:/+=~), echoed in the response.',
          schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9\\-_.:/+=~]{0,127}$' },
        },
      },
      headers: {
        XRequestId: {
          description: 'The X-Request-Id the caller sent, or the id the gateway gave the request.',
          schema: { type: 'string' },
        },
      },
      securitySchemes: {
        ApiKey: { type: 'apiKey', in: 'header', name: 'Ocp-Apim-Subscription-Key', description: 'An API key of the organization in the path.' },
      },
    },
  };
}

function operation(route: DocumentedRoute, doc: RouteDoc, named: Record<string, JsonSchema>): Json {
  const json = doc.notJson !== true;
  const parameters: Json[] = [
    ...pathParameters(route.path, doc),
    ...objectParameters(doc.query, 'query'),
    ...Object.entries(doc.headers ?? {}).map(([name, h]) => ({ name, in: 'header', required: h.required, description: h.description, schema: h.schema })),
    ...(json ? [{ $ref: '#/components/parameters/XRequestId' }] : []),
  ];
  const responses: Record<string, ResponseDoc> = { ...doc.responses };
  if (route.authenticated) {
    responses['401'] ??= { description: 'Missing, unknown or revoked API key.', schema: problemJsonSchema };
    responses['403'] ??= { description: 'The API key belongs to another organization.', schema: problemJsonSchema };
  }
  if (json) responses['500'] ??= { description: 'Unexpected error; the body carries an instance id to quote.', schema: problemJsonSchema };
  return compactJson({
    operationId: doc.operationId,
    summary: doc.summary,
    description: doc.description,
    tags: doc.tags,
    ...(route.authenticated ? {} : { security: [] }),
    parameters: parameters.length > 0 ? parameters : undefined,
    requestBody: doc.body
      ? compactJson({
          required: true,
          description: doc.body.description,
          content: { [doc.body.contentType ?? 'application/json']: { schema: schemaOf(doc.body.schema, named) } },
        })
      : undefined,
    responses: Object.fromEntries(
      Object.entries(responses)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([status, r]) => [status, response(status, r, json, named)]),
    ),
  });
}

function response(status: string, r: ResponseDoc, json: boolean, named: Record<string, JsonSchema>): Json {
  const contentType = r.contentType ?? (Number(status) >= 400 ? 'application/problem+json' : 'application/json');
  const headers: Json = { ...(json ? { 'X-Request-Id': { $ref: '#/components/headers/XRequestId' } } : {}), ...(r.headers ?? {}) };
  return compactJson({
    description: r.description,
    headers: Object.keys(headers).length > 0 ? headers : undefined,
    content: r.schema ? { [contentType]: { schema: schemaOf(r.schema, named) } } : undefined,
  });
}

/** One parameter per `{name}` of the route, in order; its schema from the doc's `path` object. */
function pathParameters(path: string, doc: RouteDoc): Json[] {
  const shape = (doc.path?.shape ?? {}) as Record<string, z.ZodType>;
  return [...path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => {
    const schema = shape[name!];
    const { description, ...json } = schema ? jsonOf(schema) : { description: undefined, type: 'string' };
    return compactJson({ name, in: 'path', required: true, description, schema: json });
  });
}

/** One parameter per key of a zod object (a query string), required when the key is. */
function objectParameters(object: z.ZodObject | undefined, where: 'query'): Json[] {
  if (!object) return [];
  return Object.entries(object.shape as Record<string, z.ZodType>).map(([name, schema]) => {
    const { description, ...json } = jsonOf(schema);
    const required = (schema as unknown as { _zod: { optin?: string } })._zod.optin !== 'optional';
    return compactJson({ name, in: where, required, description, schema: json });
  });
}

/** A body schema as the document refers to it: its component, or inline. */
function schemaOf(body: BodySchema, named: Record<string, JsonSchema>): JsonSchema {
  if (isZod(body)) {
    const id = z.globalRegistry.get(body)?.id;
    return id ? { $ref: `${COMPONENT}${id}` } : jsonOf(body);
  }
  if ('json' in body) return body.json;
  const id = z.globalRegistry.get(body.zod)?.id;
  if (id) return { $ref: `${COMPONENT}${id}` };
  named[body.name] ??= jsonOf(body.zod);
  return { $ref: `${COMPONENT}${body.name}` };
}

function isZod(value: unknown): value is z.ZodType {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

/** A zod schema as JSON Schema, schemas with a registered id referred to as components. */
function jsonOf(schema: z.ZodType): JsonSchema {
  const converted = z.toJSONSchema(schema, { ...TO_JSON, metadata: z.globalRegistry }) as JsonSchema;
  const { $schema: _schema, $defs: _defs, ...rest } = converted;
  return rewriteRefs(rest) as JsonSchema;
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? v.replace(/^#\/\$defs\//, COMPONENT) : rewriteRefs(v)]),
  );
}

/** Every schema with a registered id, as components referring to each other. */
function registeredSchemas(): Record<string, JsonSchema> {
  const generated = z.toJSONSchema(z.globalRegistry, { ...TO_JSON, uri: (id) => `${COMPONENT}${id}` }) as { schemas: Record<string, JsonSchema> };
  return Object.fromEntries(
    Object.entries(generated.schemas).map(([id, schema]) => {
      const { $schema: _s, $id: _i, ...rest } = schema;
      return [id, rest];
    }),
  );
}

/** The registered components the document refers to, directly or through other components. */
function referencedComponents(root: unknown, registered: Record<string, JsonSchema>): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  const pending = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (Array.isArray(value)) pending.push(...value);
    else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === '$ref' && typeof v === 'string' && v.startsWith(COMPONENT)) {
          const id = v.slice(COMPONENT.length);
          const schema = registered[id];
          if (schema && !out[id]) {
            out[id] = schema;
            pending.push(schema);
          }
        } else pending.push(v);
      }
    }
  }
  return out;
}

function compactJson(value: Json): Json {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

function sortKeys<T>(value: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));
}
