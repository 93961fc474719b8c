/**
 * The composition root of the public health and OpenAPI routes: the process's logger, nothing
 * else. Not built on platform() (neither function has a grant on the main table), and kept apart
 * from every other root so their bundles hold no SDK client, no catalog and no zod (health is
 * ~50 KB; with the event dispatcher's root it would be ~150 KB, with platform() ~450 KB).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { telemetry } from '../observability/lambda';

export interface PublicRouteDeps {
  readonly logger: Logger;
}

export function publicRoutesRoot(): PublicRouteDeps {
  return { logger: telemetry().logger };
}
