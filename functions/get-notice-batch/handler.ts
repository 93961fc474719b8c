import { json, tenantRoute } from '../../shared/http/rest-edge';
import { createNoticeBatchReportRuntime, type NoticeBatchReportRuntime } from '../../shared/notices-composition';
import { getNoticeBatch } from '../../shared/use-cases/notices';

/**
 * GET /organizations/{organizationFiscalCode}/notices/batches/{batchId}
 * Progress (total, done, failed, state) and, per position, where its notice is: the object key in
 * the notices bucket and the API path that serves it (which also refuses it if the position has
 * stopped being payable since).
 */
export const makeHandler = (rt: NoticeBatchReportRuntime) =>
  tenantRoute(rt.logger, rt.authenticate, async (request) => {
    const ofc = request.caller.organization.fiscalCode;
    const progress = await getNoticeBatch(rt, ofc, request.pathParameters['batchId'] ?? '');
    const { batch } = progress;
    return json(200, {
      batchId: batch.batchId,
      state: progress.state,
      total: batch.total,
      done: progress.done,
      failed: progress.failed,
      createdAt: batch.createdAt,
      items: progress.items.map((item) => ({
        iupd: item.iupd,
        status: item.ok ? 'DONE' : 'FAILED',
        ...(item.version !== undefined ? { version: item.version } : {}),
        ...(item.key !== undefined
          ? { objectKey: item.key, href: `/organizations/${ofc}/debtpositions/${encodeURIComponent(item.iupd)}/notice` }
          : {}),
        ...(item.reason !== undefined ? { reason: item.reason } : {}),
      })),
    });
  });

export const handler = makeHandler(createNoticeBatchReportRuntime());
