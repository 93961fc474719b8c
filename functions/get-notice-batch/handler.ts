import { noticeBatchReportRoot, type NoticeBatchReport } from '../../shared/composition/notices';
import { noticeBatchReads } from '../../shared/http/notice-batch-edge';

/**
 * GET /organizations/{organizationFiscalCode}/notices/batches/{batchId}: progress (total, done,
 * failed, state, the archives of a finished batch) and, per position, where its notice is, 1000
 * positions a page; GET …/{batchId}/archive?part=n: 303 to a presigned GET of the ZIP of the
 * finished batch's notices, part n of 5000 positions (shared/http/notice-batch-edge.ts).
 */
export const makeHandler = (deps: NoticeBatchReport) => noticeBatchReads(deps);

export const handler = makeHandler(noticeBatchReportRoot());
