import { uploadApiRoot, type UploadApi } from '../../shared/composition/bulk-upload';
import { uploadRoute } from '../../shared/http/gpd-upload-edge';
import { UPLOAD_BASE_V1, toUploadStatus, uploadFilePath } from '../../shared/http/gpd-upload-schemas';
import { json, parseWith } from '../../shared/http/rest-edge';
import { findUpload } from '../../shared/use-cases/bulk-upload/uploads';

/** GET …/debtpositions/file/{fileId}/status — GPD UploadStatusDTO */
export const makeHandler = (deps: UploadApi) =>
  uploadRoute(deps.logger, deps.authenticate, async (request) => {
    const path = parseWith(uploadFilePath, request.pathParameters, 'path');
    const upload = await findUpload(deps, request.caller.organization, path.brokerCode, path.fileId);
    return json(200, toUploadStatus(upload, request.path.startsWith(UPLOAD_BASE_V1)));
  });

export const handler = makeHandler(uploadApiRoot());
