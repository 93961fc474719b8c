/**
 * The OpenAPI document: generated from the catalog's http routes and the zod schemas registered
 * for them, committed current, documenting every route and nothing else, and clean for
 * `redocly lint` (Redocly's recommended rules, redocly.yaml).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../shared/http/openapi';
import { documentedRoutes, routeDoc } from '../../shared/http/openapi-registry';
import { createQuerySchema, paymentPositionSchema } from '../../shared/http/debt-position-schemas';
import { catalogHttpRoutes, openApiJson } from '../../scripts/write-openapi';

type Operation = { operationId: string; parameters?: Array<{ name?: string; in?: string; $ref?: string; required?: boolean; schema?: any }>; requestBody?: any; responses: Record<string, any>; security?: unknown[] };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, any> } };

const REPO = new URL('../../', import.meta.url);
const run = promisify(execFile);

describe('OpenAPI document', () => {
  const routes = catalogHttpRoutes();
  const document = buildOpenApiDocument(routes) as unknown as Document;

  it('the committed copy is current (run `npm run openapi` after changing a route or a schema)', () => {
    const committed = readFileSync(new URL('shared/http/openapi.json', REPO), 'utf8');
    expect(committed).toBe(openApiJson());
  });

  it('is OpenAPI 3.1 with exactly the catalog http routes as paths', () => {
    expect(document.openapi).toBe('3.1.0');
    const inDocument = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    expect(inDocument.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('refuses to build while a catalog route has no registered schemas, naming it', () => {
    expect(() => buildOpenApiDocument([...routes, { method: 'GET', path: '/organizations/{organizationFiscalCode}/nothing', authenticated: true }])).toThrow(
      /GET \/organizations\/\{organizationFiscalCode\}\/nothing/,
    );
  });

  it('every registered entry is a catalog route (no documentation of routes that are gone)', () => {
    const inCatalog = new Set(routes.map((r) => `${r.method} ${r.path}`));
    expect(documentedRoutes().filter((key) => !inCatalog.has(key))).toEqual([]);
  });

  it('query parameters are the keys of the zod object the handler parses (no drift)', () => {
    for (const route of routes) {
      const doc = routeDoc(route.method, route.path)!;
      const op = document.paths[route.path]![route.method.toLowerCase()]!;
      const documented = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      expect(documented, `${route.method} ${route.path}`).toEqual(Object.keys(doc.query?.shape ?? {}));
      const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      expect(pathParams, `${route.method} ${route.path}`).toEqual([...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]));
    }
    const create = document.paths['/organizations/{organizationFiscalCode}/debtpositions']!['post']!;
    expect(create.parameters?.find((p) => p.name === 'toPublish')).toMatchObject({ in: 'query', required: false, schema: { type: 'boolean' } });
    expect(Object.keys(createQuerySchema.shape)).toEqual(['toPublish']);
  });

  it('bodies are the validating schemas: the create body is PaymentPositionModel, with every GPD field', () => {
    const create = document.paths['/organizations/{organizationFiscalCode}/debtpositions']!['post']!;
    expect(create.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/PaymentPositionModel' });
    const model = document.components.schemas['PaymentPositionModel'];
    expect(Object.keys(model.properties).sort()).toEqual(Object.keys(paymentPositionSchema.shape).sort());
    for (const field of ['payStandIn', 'officeName', 'validityDate', 'version']) expect(model.properties).toHaveProperty(field);
    // explicit null is taken for an optional field
    expect(model.properties.payStandIn.type).toEqual(['boolean', 'null']);
    const transfer = document.components.schemas['TransferModel'];
    expect(transfer.properties).toHaveProperty('companyName');
    expect(transfer.properties.postalIban.anyOf).toContainEqual({ type: 'null' });
  });

  it('responses declare the fields GPD clients read, date-times with their format', () => {
    const option = document.components.schemas['PaymentOptionModelResponse'];
    for (const f of ['notificationFee', 'insertedDate', 'lastUpdatedDate', 'reportingDate', 'idFlowReporting']) expect(option.properties).toHaveProperty(f);
    expect(option.properties.insertedDate.format).toBe('date-time');
    expect(document.components.schemas['PaymentPositionModelResponse'].properties).toHaveProperty('payStandIn');
    expect(document.components.schemas['TransferModelResponse'].properties.companyName).toBeDefined();
  });

  it('authenticated routes carry the API key and their 401/403, public ones none; JSON answers carry X-Request-Id', () => {
    for (const route of routes) {
      const op = document.paths[route.path]![route.method.toLowerCase()]!;
      if (route.authenticated) {
        expect(op.security, route.path).toBeUndefined();
        expect(op.responses, route.path).toHaveProperty('401');
        expect(op.responses, route.path).toHaveProperty('403');
      } else expect(op.security, route.path).toEqual([]);
    }
    const get = document.paths['/organizations/{organizationFiscalCode}/debtpositions/{iupd}']!['get']!;
    expect(get.parameters).toContainEqual({ $ref: '#/components/parameters/XRequestId' });
    expect(get.responses['200'].headers).toEqual({ 'X-Request-Id': { $ref: '#/components/headers/XRequestId' } });
  });

  it('passes `redocly lint` (recommended rules) with no error', { timeout: 60_000 }, async () => {
    const cli = new URL('node_modules/@redocly/cli/bin/cli.js', REPO).pathname;
    const { stdout } = await run(process.execPath, [cli, 'lint', 'shared/http/openapi.json', '--format=json'], {
      cwd: REPO.pathname,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
      maxBuffer: 32 * 1024 * 1024,
    }).catch((error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '', stderr: error.stderr }));
    const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number }; problems: Array<{ ruleId: string; severity: string; message: string }> };
    const errors = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message}`);
    expect(errors).toEqual([]);
    expect(report.totals.errors).toBe(0);
  });
});
