import { noticeBatchReportRoot, type NoticeBatchReport } from '../../shared/composition/notices';
import { batchProgressJson, noticeBatchQuerySchema } from '../../shared/http/notice-schemas';
import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { getNoticeBatch } from '../../shared/use-cases/notices/batches';

/**
 * GET /organizations/{organizationFiscalCode}/notices/batches/{batchId}
 * Progress (total, done, failed, state) and, per position, where its notice is: the object key in
 * the notices bucket and the API path that serves it (which also refuses it if the position has
 * stopped being payable since), 1000 positions a page (`?page`, `?limit`).
 */
export const makeHandler = (deps: NoticeBatchReport) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const ofc = request.caller.organization.fiscalCode;
    const page = parseWith(noticeBatchQuerySchema, request.query, 'query');
    const progress = await getNoticeBatch(deps, ofc, request.pathParameters['batchId'] ?? '');
    return json(200, batchProgressJson(ofc, progress, page));
  });

export const handler = makeHandler(noticeBatchReportRoot());
