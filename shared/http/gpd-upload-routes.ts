/**
 * The OpenAPI entries of the bulk upload routes (GPD massive upload, pagopa/pagopa-gpd-upload
 * openapi/gpd-openapi-v2.json operation ids), also served under its base paths /upload/gpd/
 * debt-positions-service/v1 and /v2 (operation ids suffixed UploadV1 / UploadV2).
 */
import { problemJsonSchema } from './debt-position-schemas';
import { MAX_INLINE_FILE_BYTES } from './gpd-upload-edge';
import { UPLOAD_BASE_V1, UPLOAD_BASE_V2, announceUploadSchema, announcedUploadSchema, fileIdListSchema, filesQuerySchema, reportQuerySchema, uploadFilePath, uploadPath, uploadQuerySchema, uploadReportSchema, uploadStatusSchema } from './gpd-upload-schemas';
import { documentBasePath, documentRoutes, type ResponseDoc, type RouteDoc } from './openapi-registry';
import { MAX_INLINE_RESULT_BYTES, RESULT_URL_SECONDS } from '../use-cases/bulk-upload/uploads';

const FILES = '/brokers/{brokerCode}/organizations/{organizationFiscalCode}/debtpositions';
const problem = (description: string): ResponseDoc => ({ description, schema: problemJsonSchema });
const tags = ['Bulk uploads (GPD massive upload)'];

documentBasePath(UPLOAD_BASE_V1, 'UploadV1');
documentBasePath(UPLOAD_BASE_V2, 'UploadV2');

const fileBody = {
  contentType: 'multipart/form-data',
  description:
    `The part \`file\`: a ZIP holding exactly one JSON file {"paymentPositions":[PaymentPositionModel…]} (DELETE: {"paymentPositionIUPDs":["…"]}), ` +
    `or one CSV in GovPay\u2019s default layout (zipped or bare, .csv). At most ${MAX_INLINE_FILE_BYTES} bytes.`,
  schema: { json: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } },
};

const accepted: ResponseDoc = {
  description: 'Accepted: the file is stored and will be processed.',
  headers: {
    Location: { description: 'brokers/{broker}/organizations/{ofc}/debtpositions/file/{fileId}/status (relative, as GPD answers)', schema: { type: 'string' } },
    'Retry-After': { description: 'When to ask the status, as GPD writes it: "<n> ms".', schema: { type: 'string' } },
  },
};

const uploadResponses = {
  '202': accepted,
  '400': problem('No file, a corrupt ZIP, a ZIP with more or less than one file, a file that is not .json or .csv, an empty file; an ioSendAt that is not a future ISO 8601 date-time within 365 days, or on an upload that does not create and publish.'),
  '403': problem('The broker does not intermediate the organization.'),
  '413': problem(`The file exceeds ${MAX_INLINE_FILE_BYTES} bytes: send it through POST …/debtpositions/file/uploads (a presigned upload).`),
  '415': problem('The body is not multipart/form-data.'),
  '422': problem('The JSON is not GPD\u2019s model ({"paymentPositions":[…]}), or the CSV header is not GovPay\u2019s layout.'),
};

const upload = (operationId: string, summary: string): RouteDoc => ({ operationId, summary, tags, path: uploadPath, query: uploadQuerySchema, body: fileBody, responses: uploadResponses });

documentRoutes({
  [`POST ${FILES}/file`]: upload('create-debt-positions-by-file-upload', 'Create the debt positions of a file (published), asynchronously'),
  [`PUT ${FILES}/file`]: upload('update-debt-positions-by-file-upload', 'Update the debt positions of a file, asynchronously'),
  [`DELETE ${FILES}/file`]: upload('delete-debt-positions-by-file-upload', 'Delete the debt positions listed in a file, asynchronously'),
  [`POST ${FILES}/file/uploads`]: {
    operationId: 'create-presigned-file-upload',
    summary: 'This layer (GPD has no such route): a presigned S3 upload of a large file, processed as an inline upload once stored',
    description:
      'Answers a URL to PUT the file to (valid 15 minutes; Content-Length and Content-Type as answered are signed: another length is refused by S3 with 403) ' +
      'under the key uploads/{organizationFiscalCode}/{fileId}. When S3 reports the object stored, the file gets the checks of an inline upload ' +
      '(a failing one ends the upload REFUSED with its reason) and the same processing; follow it at statusUrl. Only the root path, not GPD upload’s base paths.',
    tags,
    path: uploadPath,
    body: { schema: { zod: announceUploadSchema, name: 'PresignedUploadRequest' } },
    responses: {
      '201': { description: 'The upload, AWAITING_FILE, and where to PUT its file.', schema: announcedUploadSchema, headers: { Location: { description: 'The status URL (relative).', schema: { type: 'string' } } } },
      '400': problem('No size, a size over 200 MB, a file name that is not .zip or .csv; an ioSendAt that is not a future ISO 8601 date-time within 365 days, or on an upload that does not create and publish.'),
      '403': problem('The broker does not intermediate the organization.'),
    },
  },
  [`GET ${FILES}/file/{fileId}/status`]: {
    operationId: 'get-file-upload-status',
    summary: 'Status of an upload: rows processed of the rows submitted',
    tags,
    path: uploadFilePath,
    responses: { '200': { description: 'UploadStatusDTO.', schema: uploadStatusSchema }, '403': problem('Another broker.'), '404': problem('No such upload.') },
  },
  [`GET ${FILES}/file/{fileId}/report`]: {
    operationId: 'get-file-upload-report',
    summary: 'Report of an upload: iupds by outcome, every refused row with its line and reasons; or GovPay\u2019s result CSV',
    tags,
    path: uploadFilePath,
    query: reportQuerySchema,
    responses: {
      '200': { description: `UploadReportDTO (or text/csv with format=csv, when the result file is at most ${MAX_INLINE_RESULT_BYTES} bytes).`, schema: uploadReportSchema },
      '303': {
        description:
          `format=csv, a result file larger than ${MAX_INLINE_RESULT_BYTES} bytes (more than a function's answer may carry): it is stored, and Location is a presigned GET of it ` +
          `(valid ${RESULT_URL_SECONDS} s, text/csv, an attachment named esito-{fileId}.csv). No body; HTTP clients follow it by default.`,
        headers: { Location: { description: 'A presigned S3 URL of the result file (SigV4 query authentication, no other credential needed).', schema: { type: 'string', format: 'uri' } } },
      },
      '403': problem('Another broker.'),
      '404': problem('No such upload.'),
      '425': problem('The report has not been generated yet: the upload is in progress.'),
    },
  },
  [`GET ${FILES}/files`]: {
    operationId: 'get-debt-positions-upload-files',
    summary: 'The uploads started in a period (at most 7 days, Europe/Rome dates), newest first',
    tags,
    path: uploadPath,
    query: filesQuerySchema,
    headers: { 'x-continuation-token': { description: 'The token of the previous page (answered in the same header).', required: false, schema: { type: 'string' } } },
    responses: { '200': { description: 'FileIdListResponse.', schema: fileIdListSchema }, '400': problem('Invalid period or size.') },
  },
  [`DELETE ${FILES}/file/{fileId}`]: {
    operationId: 'cancel-file-upload',
    summary: 'Cancel an upload in progress: chunks not applied yet are not; their rows are reported as not processed',
    tags,
    path: uploadFilePath,
    responses: { '200': { description: 'The upload, cancelled.', schema: uploadStatusSchema }, '404': problem('No such upload.'), '409': problem('The upload has ended already.') },
  },
});
