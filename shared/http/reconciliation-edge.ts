/**
 * The back-office reads of reconciliation, one Lambda for all of them (reconciliation-queries):
 * each route is a tenant route of its own (auth, query parsing, ProblemJson), picked by the
 * API Gateway route key. One function instead of six keeps the stack's resources down; they share
 * the same grants (table read) and the same composition root. The operator console serves the
 * same reads under /console-api (reconciliationReadRoutes, with the operator as the caller).
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
import type { Organization } from '../domain/organization';
import { json, parseWith, publicRoute, tenantRoute, type HttpRequest, type HttpResult } from './rest-edge';
import type { TenantAuthenticator } from './tenant-auth';

export interface ReconciliationEdgeDeps extends QueryDeps {
  readonly logger: Logger;
  readonly authenticate: TenantAuthenticator;
}

const ORG = '/organizations/{organizationFiscalCode}';

/** The reads, by path under an organization (GET each). */
export const RECONCILIATION_READ_PATHS = ['/reportingflows', '/reportingflows/{flowId}', '/reconciliation', '/reconciliation/anomalies', '/reconciliation/export', '/treasury/movements'] as const;
type ReadPath = (typeof RECONCILIATION_READ_PATHS)[number];

/** Whoever asks, a back office's key or an operator: the organization it acts for. */
export type OrganizationRequest = HttpRequest & { readonly caller: { readonly organization: Organization } };

const ofcOf = (r: OrganizationRequest) => r.caller.organization.fiscalCode;

export function reconciliationReadRoutes(deps: QueryDeps): Record<ReadPath, (r: OrganizationRequest) => Promise<HttpResult>> {
  return {
    ['/reportingflows']: async (r) => {
      const q = parseWith(reportingFlowListQuerySchema, r.query, 'query');
      const page = await listFlows(deps, ofcOf(r), { ...windowOf(q), ...(q.status ? { state: q.status } : {}), limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}) });
      return json(200, { reportingFlows: page.items.map(toFlowResponse), ...(page.cursor ? { cursor: page.cursor } : {}) });
    },
    ['/reportingflows/{flowId}']: async (r) => {
      const flowId = parseWith(flowIdParamSchema, r.pathParameters['flowId'], 'path');
      const q = parseWith(reportingFlowDetailQuerySchema, r.query, 'query');
      const detail = await flowDetail(deps, ofcOf(r), flowId, q.pspId);
      return json(200, { ...toFlowResponse(detail.flow), revisions: detail.revisions, payments: detail.lines.map(toLineResponse) });
    },
    ['/reconciliation']: async (r) => {
      const q = parseWith(reconciliationSummaryQuerySchema, r.query, 'query');
      return json(200, await reconciliationSummary(deps, ofcOf(r), windowOf(q)));
    },
    ['/reconciliation/anomalies']: async (r) => {
      const q = parseWith(reconciliationAnomaliesQuerySchema, r.query, 'query');
      const page = await listAnomalies(deps, ofcOf(r), {
        ...(q.kind ? { kind: q.kind } : {}),
        ...(q.open ? { open: q.open === 'true' } : {}),
        limit: q.limit,
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
      return json(200, { anomalies: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) });
    },
    ['/reconciliation/export']: async (r) => {
      const q = parseWith(reconciliationSummaryQuerySchema, r.query, 'query');
      const rows = await accountingRows(deps, ofcOf(r), windowOf(q));
      return { status: 200, bytes: Buffer.from(accountingCsv(rows), 'utf8'), headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="reconciliation.csv"' } };
    },
    ['/treasury/movements']: async (r) => {
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
  const handlers = new Map(Object.entries(reconciliationReadRoutes(deps)).map(([path, route]) => [`GET ${ORG}${path}`, tenantRoute(deps.logger, deps.authenticate, route)]));
  const unknown = publicRoute(deps.logger, async () => {
    throw notFound('no such route');
  });
  return (event: APIGatewayProxyEventV2, context: Context) => (handlers.get(event.routeKey) ?? unknown)(event, context);
}
