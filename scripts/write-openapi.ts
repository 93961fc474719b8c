/** Rewrites the committed OpenAPI document from the zod schemas: `npm run openapi`. */
import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument } from '../shared/http/openapi';

const path = new URL('../shared/http/openapi.json', import.meta.url);
writeFileSync(path, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${path.pathname}`);
