import { uploadApiRoot, type UploadApi } from '../../shared/composition/bulk-upload';
import { uploadRoute } from '../../shared/http/gpd-upload-edge';
import { govpayResultFile } from '../../shared/http/gpd-upload-rows';
import { UPLOAD_BASE_V1, reportQuerySchema, toUploadReport, uploadFilePath } from '../../shared/http/gpd-upload-schemas';
import { json, parseWith } from '../../shared/http/rest-edge';
import { uploadReport, uploadResultFile } from '../../shared/use-cases/bulk-upload/uploads';

/**
 * GET …/debtpositions/file/{fileId}/report[?format=csv] — GPD UploadReportDTO (425 until done), or
 * GovPay's result CSV: inline up to 4 MiB, above a 303 to a presigned GET of the stored file
 * (a Lambda response is at most 6 MB; MAX_INLINE_RESULT_BYTES).
 */
export const makeHandler = (deps: UploadApi) =>
  uploadRoute(deps.logger, deps.authenticate, async (request) => {
    const path = parseWith(uploadFilePath, request.pathParameters, 'path');
    const query = parseWith(reportQuerySchema, request.query, 'query');
    if (query.format === 'csv') {
      const file = await uploadResultFile(deps, request.caller.organization, path.brokerCode, path.fileId, govpayResultFile);
      return file.kind === 'inline'
        ? { status: 200, bytes: file.bytes, headers: { 'content-type': file.contentType, 'content-disposition': `attachment; filename="${file.fileName}"` } }
        : { status: 303, headers: { location: file.url, 'cache-control': 'no-store' } };
    }
    const report = await uploadReport(deps, request.caller.organization, path.brokerCode, path.fileId);
    return json(200, await toUploadReport(report.upload, report.outcomes, request.path.startsWith(UPLOAD_BASE_V1)));
  });

export const handler = makeHandler(uploadApiRoot());
