/**
 * Rewrites the committed OpenAPI document (shared/http/openapi.json) from the catalog's http routes
 * and the zod schemas registered for them, and the Redoc bundle the /docs page runs
 * (shared/http/redoc-standalone.ts, from the pinned @redocly/cli): `npm run openapi`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { catalog } from '../infra/catalog';
import { buildOpenApiDocument, type DocumentedRoute } from '../shared/http/openapi';
import { redocBundleModule } from './redoc-bundle';

/** Every http route of the catalog, in catalog order. */
export function catalogHttpRoutes(): DocumentedRoute[] {
  return catalog.functions.flatMap((f) =>
    f.triggers.flatMap((t) => (t.kind === 'http' ? [{ method: t.method, path: t.path, authenticated: t.authenticated }] : [])),
  );
}

export function openApiJson(): string {
  return `${JSON.stringify(buildOpenApiDocument(catalogHttpRoutes()), null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const document = new URL('../shared/http/openapi.json', import.meta.url);
  writeFileSync(document, openApiJson());
  console.log(`wrote ${document.pathname}`);
  const bundle = new URL('../shared/http/redoc-standalone.ts', import.meta.url);
  writeFileSync(bundle, redocBundleModule());
  console.log(`wrote ${bundle.pathname}`);
}
