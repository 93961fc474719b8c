import { noticeBatchApiRoot, type NoticeBatchApi } from '../../shared/composition/notices';
import { noticeBatchRequestSchema, selectionOf } from '../../shared/http/notice-schemas';
import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { createNoticeBatch } from '../../shared/use-cases/notices/batches';

/**
 * POST /organizations/{organizationFiscalCode}/notices/batches
 * {"iupds": [...≤ 5000]} or {"filter": {"status"?, "dueFrom"?, "dueTo"?}} → 202 with the batch
 * id; the notices are rendered by the notice-batch worker, 50 positions per queue message.
 */
export const makeHandler = (deps: NoticeBatchApi) =>
  tenantRoute(deps.logger, deps.authenticate, async (request) => {
    const body = parseWith(noticeBatchRequestSchema, request.body, 'request body');
    const ofc = request.caller.organization.fiscalCode;
    const batch = await createNoticeBatch(deps.batches, { organizationFiscalCode: ofc, actor: request.caller.actor, select: selectionOf(body) });
    const location = `/organizations/${ofc}/notices/batches/${batch.batchId}`;
    return json(202, { batchId: batch.batchId, state: 'RUNNING', total: batch.total, location }, { location });
  });

export const handler = makeHandler(noticeBatchApiRoot());
