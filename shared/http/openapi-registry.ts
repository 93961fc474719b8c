/**
 * What the OpenAPI document says about each HTTP route, next to the zod schemas that validate it.
 * The document's paths come from the catalog's http routes (infra/catalog.ts); for each one the
 * generator (shared/http/openapi.ts) takes the route's entry here: its operation id and summary,
 * and the SAME zod objects the handler parses its path, query, headers and body with. A catalog
 * route without an entry fails the OpenAPI test, so a new route is documented once its schemas
 * are registered (shared/http/openapi-routes.ts lists the modules that register them).
 */
import type * as z from 'zod';

/** The methods an http route of the catalog may have (infra/catalog.ts `HttpMethod`, and PATCH). */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type JsonSchema = Record<string, unknown>;

/** A body: a zod schema (its registered id, if any, becomes a component) or a plain JSON Schema. */
export type BodySchema =
  | z.ZodType
  | { readonly zod: z.ZodType; /** the component name for a schema without a registered id */ readonly name: string }
  | { readonly json: JsonSchema };

export interface ResponseDoc {
  readonly description: string;
  /** omitted for a response without a body */
  readonly schema?: BodySchema;
  /** default `application/json` (2xx) or `application/problem+json` (4xx, 5xx) */
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, { readonly description: string; readonly schema: JsonSchema }>>;
}

export interface RouteDoc {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  /** the path parameters, one key per `{name}` of the route (a name not here is a plain string) */
  readonly path?: z.ZodObject;
  /** the query string, exactly as the handler parses it */
  readonly query?: z.ZodObject;
  /** request headers the route reads (besides the API key and X-Request-Id, added to every route) */
  readonly headers?: Readonly<Record<string, { readonly description: string; readonly required: boolean; readonly schema: JsonSchema }>>;
  readonly body?: { readonly schema: BodySchema; readonly contentType?: string; readonly description?: string };
  /** by status code; 401 and 403 are added to authenticated routes, 500 to JSON routes */
  readonly responses: Readonly<Record<string, ResponseDoc>>;
  /** a route that does not speak JSON (the SOAP station): no ProblemJson 500, no X-Request-Id */
  readonly notJson?: true;
}

export type RouteKey = `${HttpMethod} ${string}`;

const docs = new Map<RouteKey, RouteDoc>();
const basePaths = new Map<string, { readonly operationIdSuffix: string }>();

/** Registers the documentation of routes, keyed `"<METHOD> <catalog path>"`. */
export function documentRoutes(entries: Readonly<Record<RouteKey, RouteDoc>>): void {
  for (const [key, doc] of Object.entries(entries) as Array<[RouteKey, RouteDoc]>) {
    if (docs.has(key)) throw new Error(`the route ${key} is documented twice`);
    docs.set(key, doc);
  }
}

/**
 * Routes served again under a base path (e.g. GPD's /gpd/debt-positions-service/v1): a catalog
 * route `<METHOD> <prefix><path>` without an entry of its own is documented as `<METHOD> <path>`,
 * its operationId suffixed (operation ids are unique in a document).
 */
export function documentBasePath(prefix: string, operationIdSuffix: string): void {
  basePaths.set(prefix, { operationIdSuffix });
}

/** The documentation of one catalog route, undefined when none was registered. */
export function routeDoc(method: HttpMethod, path: string): RouteDoc | undefined {
  const own = docs.get(`${method} ${path}`);
  if (own) return own;
  for (const [prefix, { operationIdSuffix }] of basePaths) {
    if (!path.startsWith(`${prefix}/`)) continue;
    const base = docs.get(`${method} ${path.slice(prefix.length)}`);
    if (base) return { ...base, operationId: `${base.operationId}${operationIdSuffix}` };
  }
  return undefined;
}

/** Every registered route key (to find entries no catalog route uses any more). */
export function documentedRoutes(): RouteKey[] {
  return [...docs.keys()];
}

// ---- shorthands for the entries ----------------------------------------------------------------

export const jsonResponse = (description: string, schema?: BodySchema): ResponseDoc => (schema ? { description, schema } : { description });
