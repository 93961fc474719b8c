import { noticeArchiveRoot, type NoticeArchiveServing } from '../../shared/composition/notices';
import { noticeArchiveQuerySchema } from '../../shared/http/notice-schemas';
import { parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { noticeArchive } from '../../shared/use-cases/notices/archives';

/**
 * GET /organizations/{organizationFiscalCode}/notices/batches/{batchId}/archive?part=1
 * 303 to a presigned GET (5 minutes) of the ZIP of the finished batch's notices, part `part`
 * (5000 positions each; the batch's progress lists its parts); 409 while the batch is rendering.
 */
export const makeHandler = (deps: NoticeArchiveServing) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const { part } = parseWith(noticeArchiveQuerySchema, request.query, 'query');
    const archive = await noticeArchive(deps.archives, request.caller.organization.fiscalCode, request.pathParameters['batchId'] ?? '', part);
    return { status: 303, headers: { location: archive.url, 'cache-control': 'no-store' } };
  });

export const handler = makeHandler(noticeArchiveRoot());
