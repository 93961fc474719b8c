import { uploadApiRoot, type UploadApi } from '../../shared/composition/bulk-upload';
import { uploadRoute } from '../../shared/http/gpd-upload-edge';
import { filesQuerySchema, filesWindow, uploadPath } from '../../shared/http/gpd-upload-schemas';
import { json, parseWith } from '../../shared/http/rest-edge';
import { listUploads } from '../../shared/use-cases/bulk-upload/uploads';

/** GET …/debtpositions/files?from=&to=&size= — GPD FileIdListResponse, paged with x-continuation-token */
export const makeHandler = (deps: UploadApi) =>
  uploadRoute(deps.logger, deps.authenticate, async (request) => {
    const path = parseWith(uploadPath, request.pathParameters, 'path');
    const window = filesWindow(parseWith(filesQuerySchema, request.query, 'query'), deps.clock());
    const token = request.headers['x-continuation-token'];
    const page = await listUploads(deps, request.caller.organization, path.brokerCode, { ...window, ...(token ? { after: token } : {}) });
    const fileIds = page.uploads.map((u) => u.fileId);
    return json(200, { fileIds, size: fileIds.length, hasMore: page.after !== undefined }, page.after ? { 'x-continuation-token': page.after } : undefined);
  });

export const handler = makeHandler(uploadApiRoot());
