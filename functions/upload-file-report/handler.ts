import { uploadApiRoot, type UploadApi } from '../../shared/composition/bulk-upload';
import { uploadRoute } from '../../shared/http/gpd-upload-edge';
import { govpayResultLines } from '../../shared/http/gpd-upload-rows';
import { UPLOAD_BASE_V1, reportQuerySchema, toUploadReport, uploadFilePath } from '../../shared/http/gpd-upload-schemas';
import { json, parseWith } from '../../shared/http/rest-edge';
import { uploadReport } from '../../shared/use-cases/bulk-upload/uploads';

/** GET …/debtpositions/file/{fileId}/report[?format=csv] — GPD UploadReportDTO (425 until done), or GovPay's result CSV */
export const makeHandler = (deps: UploadApi) =>
  uploadRoute(deps.logger, deps.authenticate, async (request) => {
    const path = parseWith(uploadFilePath, request.pathParameters, 'path');
    const query = parseWith(reportQuerySchema, request.query, 'query');
    const report = await uploadReport(deps, request.caller.organization, path.brokerCode, path.fileId);
    if (query.format === 'csv') {
      const outcomes = [];
      for await (const o of report.outcomes) outcomes.push(o);
      outcomes.sort((a, b) => a.line - b.line);
      const text = [...govpayResultLines(outcomes, report.upload.organizationFiscalCode)].join('\r\n') + '\r\n';
      return { status: 200, bytes: Buffer.from(text, 'utf8'), headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="esito-${path.fileId}.csv"` } };
    }
    return json(200, await toUploadReport(report.upload, report.outcomes, request.path.startsWith(UPLOAD_BASE_V1)));
  });

export const handler = makeHandler(uploadApiRoot());
