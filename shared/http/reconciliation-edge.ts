/**
 * The back-office reads of reconciliation, one Lambda for all of them (reconciliation-queries):
 * each route is a tenant route of its own (auth, query parsing, ProblemJson), picked by the
 * API Gateway route key. One function instead of six keeps the stack's resources down; they share
 * the same grants (table read) and the same composition root.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { accountingRows, flowDetail, listAnomalies, listFlows, listMovements, reconciliationSummary, type QueryDeps } from '../use-cases/reconciliation/queries';
import { notFound } from './problem';
import {
  accountingCsv,
  flowIdParamSchema,
  reconciliationAnomaliesQuerySchema,
  reconciliationSummaryQuerySchema,
  reportingFlowDetailQuerySchema,
  reportingFlowListQuerySchema,
  toFlowResponse,
  toLineResponse,
  treasuryMovementsQuerySchema,
  windowOf,
} from './reconciliation-schemas';
import { json, parseWith, publicRoute, tenantRoute, type AuthenticatedRequest, type HttpResult } from './rest-edge';
import type { TenantAuthenticator } from './tenant-auth';

export interface ReconciliationEdgeDeps extends QueryDeps {
  readonly logger: Logger;
  readonly authenticate: TenantAuthenticator;
}

const ORG = '/organizations/{organizationFiscalCode}';

/** The routes served, by API Gateway route key (the catalog's reconciliation-queries triggers). */
export const RECONCILIATION_READ_ROUTES = [
  `GET ${ORG}/reportingflows`,
  `GET ${ORG}/reportingflows/{flowId}`,
  `GET ${ORG}/reconciliation`,
  `GET ${ORG}/reconciliation/anomalies`,
  `GET ${ORG}/reconciliation/export`,
  `GET ${ORG}/treasury/movements`,
] as const;
type RouteKey = (typeof RECONCILIATION_READ_ROUTES)[number];

const ofcOf = (r: AuthenticatedRequest) => r.caller.organization.fiscalCode;

function routes(deps: ReconciliationEdgeDeps): Record<RouteKey, (r: AuthenticatedRequest) => Promise<HttpResult>> {
  return {
    [`GET ${ORG}/reportingflows`]: async (r) => {
      const q = parseWith(reportingFlowListQuerySchema, r.query, 'query');
      const page = await listFlows(deps, ofcOf(r), { ...windowOf(q), ...(q.status ? { state: q.status } : {}), limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}) });
      return json(200, { reportingFlows: page.items.map(toFlowResponse), ...(page.cursor ? { cursor: page.cursor } : {}) });
    },
    [`GET ${ORG}/reportingflows/{flowId}`]: async (r) => {
      const flowId = parseWith(flowIdParamSchema, r.pathParameters['flowId'], 'path');
      const q = parseWith(reportingFlowDetailQuerySchema, r.query, 'query');
      const detail = await flowDetail(deps, ofcOf(r), flowId, q.pspId);
      return json(200, { ...toFlowResponse(detail.flow), revisions: detail.revisions, payments: detail.lines.map(toLineResponse) });
    },
    [`GET ${ORG}/reconciliation`]: async (r) => {
      const q = parseWith(reconciliationSummaryQuerySchema, r.query, 'query');
      return json(200, await reconciliationSummary(deps, ofcOf(r), windowOf(q)));
    },
    [`GET ${ORG}/reconciliation/anomalies`]: async (r) => {
      const q = parseWith(reconciliationAnomaliesQuerySchema, r.query, 'query');
      const page = await listAnomalies(deps, ofcOf(r), {
        ...(q.kind ? { kind: q.kind } : {}),
        ...(q.open ? { open: q.open === 'true' } : {}),
        limit: q.limit,
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
      return json(200, { anomalies: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) });
    },
    [`GET ${ORG}/reconciliation/export`]: async (r) => {
      const q = parseWith(reconciliationSummaryQuerySchema, r.query, 'query');
      const rows = await accountingRows(deps, ofcOf(r), windowOf(q));
      return { status: 200, bytes: Buffer.from(accountingCsv(rows), 'utf8'), headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="reconciliation.csv"' } };
    },
    [`GET ${ORG}/treasury/movements`]: async (r) => {
      const q = parseWith(treasuryMovementsQuerySchema, r.query, 'query');
      const page = await listMovements(deps, ofcOf(r), {
        ...(q.from ? { from: q.from } : {}),
        ...(q.to ? { to: q.to } : {}),
        ...(q.status ? { state: q.status } : {}),
        limit: q.limit,
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
      return json(200, { movements: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) });
    },
  };
}

/** One handler for every reconciliation read, dispatching on the route key. */
export function reconciliationReads(deps: ReconciliationEdgeDeps) {
  const handlers = new Map(Object.entries(routes(deps)).map(([key, route]) => [key, tenantRoute(deps.logger, deps.authenticate, route)]));
  const unknown = publicRoute(deps.logger, async () => {
    throw notFound('no such route');
  });
  return (event: APIGatewayProxyEventV2, context: Context) => (handlers.get(event.routeKey) ?? unknown)(event, context);
}
