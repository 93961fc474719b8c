/**
 * The notice batch reads of the back-office API, one function (get-notice-batch) dispatching on the
 * route: a batch's progress, and a finished batch's notices as ZIP archives.
 *   GET /organizations/{ofc}/notices/batches/{batchId}                progress, 1000 positions a page
 *   GET /organizations/{ofc}/notices/batches/{batchId}/archive?part=n 303 to the archive's presigned GET
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { noticeArchive, type ArchiveDeps } from '../use-cases/notices/archives';
import { getNoticeBatch } from '../use-cases/notices/batches';
import type { NoticeBatchStore } from '../use-cases/notices/ports';
import { batchProgressJson, noticeArchiveQuerySchema, noticeBatchQuerySchema } from './notice-schemas';
import { notFound } from './problem';
import { json, parseWith, publicRoute, tenantRoute } from './rest-edge';
import type { TenantAuthenticator } from './tenant-auth';

export const NOTICE_BATCH = '/organizations/{organizationFiscalCode}/notices/batches/{batchId}';

export interface NoticeBatchEdgeDeps {
  readonly logger: Logger;
  readonly authenticate: TenantAuthenticator;
  readonly batches: Pick<NoticeBatchStore, 'get'>;
  readonly archives: ArchiveDeps;
}

export function noticeBatchReads(deps: NoticeBatchEdgeDeps) {
  const handlers = new Map([
    [
      `GET ${NOTICE_BATCH}`,
      tenantRoute(deps.logger, deps.authenticate, async (request) => {
        const ofc = request.caller.organization.fiscalCode;
        const page = parseWith(noticeBatchQuerySchema, request.query, 'query');
        const progress = await getNoticeBatch(deps, ofc, request.pathParameters['batchId'] ?? '');
        return json(200, batchProgressJson(ofc, progress, page));
      }),
    ],
    [
      `GET ${NOTICE_BATCH}/archive`,
      tenantRoute(deps.logger, deps.authenticate, async (request) => {
        const { part } = parseWith(noticeArchiveQuerySchema, request.query, 'query');
        const archive = await noticeArchive(deps.archives, request.caller.organization.fiscalCode, request.pathParameters['batchId'] ?? '', part);
        return { status: 303, headers: { location: archive.url, 'cache-control': 'no-store' } };
      }),
    ],
  ]);
  const unknown = publicRoute(deps.logger, async () => {
    throw notFound('no such route');
  });
  return (event: APIGatewayProxyEventV2, context: Context) => (handlers.get(event.routeKey) ?? unknown)(event, context);
}
