import { json, parseWith, tenantRoute } from '../../shared/http/rest-edge';
import { createNoticeBatchApiRuntime, type NoticeBatchApiRuntime } from '../../shared/notices-composition';
import { createNoticeBatch, noticeBatchRequestSchema } from '../../shared/use-cases/notices';

/**
 * POST /organizations/{organizationFiscalCode}/notices/batches
 * {"iupds": [...≤ 5000]} or {"filter": {"status"?, "dueFrom"?, "dueTo"?}} → 202 with the batch
 * id; the notices are rendered by the notice-batch worker, 50 positions per queue message.
 */
export const makeHandler = (rt: NoticeBatchApiRuntime) =>
  tenantRoute(rt.logger, rt.authenticate, async (request) => {
    const body = parseWith(noticeBatchRequestSchema, request.body, 'request body');
    const ofc = request.caller.organization.fiscalCode;
    const batch = await createNoticeBatch(rt, { organizationFiscalCode: ofc, actor: request.caller.actor, body });
    const location = `/organizations/${ofc}/notices/batches/${batch.batchId}`;
    return json(202, { batchId: batch.batchId, state: 'RUNNING', total: batch.total, location }, { location });
  });

export const handler = makeHandler(createNoticeBatchApiRuntime());
