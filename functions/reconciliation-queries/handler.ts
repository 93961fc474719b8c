import { reconciliationQueriesRoot, type ReconciliationQueries } from '../../shared/composition/reconciliation';
import { reconciliationReads } from '../../shared/http/reconciliation-edge';

/**
 * GET …/reportingflows, …/reportingflows/{flowId}, …/reconciliation, …/reconciliation/anomalies,
 * …/reconciliation/export, …/treasury/movements (shared/http/reconciliation-edge.ts).
 */
export const makeHandler = (deps: ReconciliationQueries) => reconciliationReads(deps);

export const handler = makeHandler(reconciliationQueriesRoot());
