import { uploadApiRoot, type UploadApi } from '../../shared/composition/bulk-upload';
import { RETRY_AFTER_MS, uploadFileRoute, uploadRoute } from '../../shared/http/gpd-upload-edge';
import { announceUploadSchema, uploadPath, uploadQuerySchema } from '../../shared/http/gpd-upload-schemas';
import { json, parseWith } from '../../shared/http/rest-edge';
import { MAX_PRESIGNED_BYTES, announceUpload, receiveUpload } from '../../shared/use-cases/bulk-upload/uploads';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

const OPERATIONS = { POST: 'CREATE', PUT: 'UPDATE', DELETE: 'DELETE' } as const;
const statusUrl = (brokerCode: string, ofc: string, fileId: string) => `brokers/${brokerCode}/organizations/${ofc}/debtpositions/file/${fileId}/status`;

/** POST | PUT | DELETE …/brokers/{brokerCode}/organizations/{organizationFiscalCode}/debtpositions/file — GPD massive upload: 202, Location, Retry-After */
const inline = (deps: UploadApi) =>
  uploadFileRoute(deps.logger, deps.authenticate, async (request) => {
    const brokerCode = request.pathParameters['brokerCode'] ?? '';
    const query = parseWith(uploadQuerySchema, request.query, 'query');
    const upload = await receiveUpload(deps, {
      ...request.caller,
      brokerCode,
      operation: OPERATIONS[request.method as keyof typeof OPERATIONS] ?? 'CREATE',
      fileName: request.file.fileName,
      bytes: request.file.bytes,
      contentType: request.file.contentType,
      ...(query.toPublish === false ? { toPublish: false } : {}),
      ...(query.ioSendAt !== undefined ? { ioSendAt: query.ioSendAt } : {}),
    });
    return { status: 202, headers: { location: statusUrl(brokerCode, upload.organizationFiscalCode, upload.fileId), 'retry-after': `${RETRY_AFTER_MS} ms` } };
  });

/** POST …/debtpositions/file/uploads — this layer's presigned upload of a large file: 201, the PUT URL (15 minutes), the status URL */
const presigned = (deps: UploadApi) =>
  uploadRoute(deps.logger, deps.authenticate, async (request) => {
    const path = parseWith(uploadPath, request.pathParameters, 'path');
    const body = parseWith(announceUploadSchema, request.body, 'body');
    const contentType = body.contentType ?? (body.fileName.toLowerCase().endsWith('.csv') ? 'text/csv' : 'application/zip');
    const { upload, uploadUrl, expiresAt } = await announceUpload(deps, {
      ...request.caller,
      brokerCode: path.brokerCode,
      operation: body.operation ?? 'CREATE',
      fileName: body.fileName,
      size: body.size,
      contentType,
      ...(body.toPublish === false ? { toPublish: false } : {}),
      ...(body.ioSendAt !== undefined ? { ioSendAt: body.ioSendAt } : {}),
    });
    const status = statusUrl(path.brokerCode, upload.organizationFiscalCode, upload.fileId);
    return json(201, { fileId: upload.fileId, uploadUrl, method: 'PUT', headers: { 'content-type': contentType, 'content-length': String(body.size) }, expiresAt, statusUrl: status, maxBytes: MAX_PRESIGNED_BYTES }, { location: status });
  });

export const makeHandler = (deps: UploadApi) => {
  const file = inline(deps);
  const announce = presigned(deps);
  return (event: APIGatewayProxyEventV2, context: Context) => (event.routeKey.endsWith('/file/uploads') ? announce(event, context) : file(event, context));
};

export const handler = makeHandler(uploadApiRoot());
