import { uploadApiRoot, type UploadApi } from '../../shared/composition/bulk-upload';
import { uploadRoute } from '../../shared/http/gpd-upload-edge';
import { UPLOAD_BASE_V1, toUploadStatus, uploadFilePath } from '../../shared/http/gpd-upload-schemas';
import { json, parseWith } from '../../shared/http/rest-edge';
import { cancelUpload } from '../../shared/use-cases/bulk-upload/uploads';

/** DELETE …/debtpositions/file/{fileId} — cancel an upload in progress (this layer; 409 when it has ended) */
export const makeHandler = (deps: UploadApi) =>
  uploadRoute(deps.logger, deps.authenticate, async (request) => {
    const path = parseWith(uploadFilePath, request.pathParameters, 'path');
    const upload = await cancelUpload(deps, request.caller.organization, path.brokerCode, path.fileId);
    return json(200, toUploadStatus(upload, request.path.startsWith(UPLOAD_BASE_V1)));
  });

export const handler = makeHandler(uploadApiRoot());
