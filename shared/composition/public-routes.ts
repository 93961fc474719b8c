/**
 * The composition root of the public platform routes (health, the OpenAPI document and its
 * browsable reference): the process's logger, and for the reference the page built once from the
 * committed document. Not built on platform() (none of these functions has a grant on the main
 * table), and kept apart from every other root so their bundles hold no SDK client, no catalog
 * and no zod (health is ~50 KB; with the event dispatcher's root it would be ~150 KB, with
 * platform() ~450 KB).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { apiDocs, type ApiDocs } from '../http/api-docs';
import document from '../http/openapi.json';
import { telemetry } from '../observability/lambda';

export interface PublicRouteDeps {
  readonly logger: Logger;
}

export interface ApiDocsDeps extends PublicRouteDeps {
  readonly docs: ApiDocs;
}

export function publicRoutesRoot(): PublicRouteDeps {
  return { logger: telemetry().logger };
}

let docs: ApiDocs | undefined;

/** The reference page of the committed OpenAPI document (shared/http/openapi.json). */
export function apiDocsRoot(): ApiDocsDeps {
  return { logger: telemetry().logger, docs: (docs ??= apiDocs(document)) };
}
