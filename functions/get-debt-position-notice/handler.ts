import { noticeServingRoot, type NoticeServing } from '../../shared/composition/notices';
import { tenantRoute } from '../../shared/http/rest-edge';
import { getNoticePdf } from '../../shared/use-cases/notices/serve-notice';
import { PDF_CONTENT_TYPE } from '../../shared/use-cases/notices/stored-notices';

/**
 * GET /organizations/{organizationFiscalCode}/debtpositions/{iupd}/notice
 * The position's payment notice as a PDF download: 404 unknown position, 409 no notice (DRAFT,
 * PAID, INVALID, EXPIRED...), never a PDF of an older version of the position.
 */
export const makeHandler = (deps: NoticeServing) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const iupd = request.pathParameters['iupd'] ?? '';
    const notice = await getNoticePdf(deps.notices, request.caller.organization, iupd);
    return {
      status: 200,
      bytes: notice.bytes,
      headers: {
        'content-type': PDF_CONTENT_TYPE,
        'content-disposition': `attachment; filename="${notice.fileName}"`,
        'content-length': String(notice.bytes.length),
        // which version of the position this notice prints, and whether it came from the bucket
        etag: `"${iupd}-v${notice.version}"`,
        'x-notice-source': notice.source,
      },
    };
  });

export const handler = makeHandler(noticeServingRoot());
