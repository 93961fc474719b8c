/**
 * The OpenAPI entries of the reconciliation routes (reporting flows, treasury, anomalies, summary),
 * with the zod schemas their handlers parse (./reconciliation-schemas.ts).
 */
import * as z from 'zod';
import { problemJsonSchema } from './debt-position-schemas';
import { documentRoutes, type ResponseDoc, type RouteDoc } from './openapi-registry';
import type { RECONCILIATION_READ_PATHS } from './reconciliation-edge';
import {
  flowIdParamSchema,
  flowResponseSchema,
  reconciliationAnomaliesQuerySchema,
  reconciliationSummaryQuerySchema,
  reportingFlowDetailQuerySchema,
  reportingFlowListQuerySchema,
  treasuryMovementsQuerySchema,
  treasuryStatementSchema,
} from './reconciliation-schemas';

const ORG = '/organizations/{organizationFiscalCode}';
const problem = (description: string): ResponseDoc => ({ description, schema: problemJsonSchema });
const anyObject = (description: string): ResponseDoc => ({ description, schema: { json: { type: 'object' } } });
const organizationFiscalCode = z
  .string()
  .regex(/^\d{11}$/)
  .meta({ description: 'Fiscal code of the creditor organization (11 digits); the API key must be one of its keys.' });
const inPath = (more: Record<string, z.ZodType> = {}) => z.object({ organizationFiscalCode, ...more });
const tags = ['Reconciliation'];

/**
 * The reads, by path under an organization: the back office's routes (API key) and the console's
 * (/console-api, an operator's token) document them alike (./console-routes.ts).
 */
export const RECONCILIATION_READ_DOCS: Record<(typeof RECONCILIATION_READ_PATHS)[number], Omit<RouteDoc, 'tags' | 'path'> & { path?: Record<string, z.ZodType> }> = {
  ['/reportingflows']: {
    operationId: 'listReportingFlows',
    summary: 'Reporting flows (flussi di rendicontazione) acquired, latest revision of each, by flow date',
    query: reportingFlowListQuerySchema,
    responses: {
      '200': { description: 'A page of flows.', schema: { zod: z.object({ reportingFlows: z.array(flowResponseSchema), cursor: z.string().optional() }), name: 'ReportingFlowList' } },
      '400': problem('Invalid query.'),
    },
  },
  ['/reportingflows/{flowId}']: {
    operationId: 'getReportingFlow',
    summary: 'A reporting flow: header, revisions and every line with its match state',
    path: { flowId: flowIdParamSchema.meta({ description: 'The flow name (identificativoFlusso).' }) },
    query: reportingFlowDetailQuerySchema,
    responses: { '200': anyObject('The flow, its revisions and its payments.'), '400': problem('Invalid flow id.'), '404': problem('No such flow.') },
  },
  ['/reconciliation']: {
    operationId: 'getReconciliationSummary',
    summary: 'Receipt transfers of a window: paid, reported by a flow, credited by the treasury, open (counts and sums in cents)',
    query: reconciliationSummaryQuerySchema,
    responses: { '200': anyObject('The summary.'), '400': problem('Invalid query.') },
  },
  ['/reconciliation/anomalies']: {
    operationId: 'listReconciliationAnomalies',
    summary: 'Reconciliation anomalies: line without receipt, amount differs, header mismatch, other intermediary, treasury mismatches',
    query: reconciliationAnomaliesQuerySchema,
    responses: { '200': anyObject('A page of anomalies.'), '400': problem('Invalid query.') },
  },
  ['/reconciliation/export']: {
    operationId: 'exportReconciliation',
    summary: 'CSV for the ragioneria: receipt transfers of a window by accounting key (taxonomy + transfer metadata) and state',
    query: reconciliationSummaryQuerySchema,
    responses: { '200': { description: 'category;metadata;state;transfers;amountEUR', contentType: 'text/csv', schema: { json: { type: 'string' } } }, '400': problem('Invalid query.') },
  },
  ['/treasury/movements']: {
    operationId: 'listTreasuryMovements',
    summary: 'Treasury movements imported, by value date, with their reconciliation state',
    query: treasuryMovementsQuerySchema,
    responses: { '200': anyObject('A page of movements.'), '400': problem('Invalid query.') },
  },
};

documentRoutes({
  [`POST ${ORG}/reportingflows/sync`]: {
    operationId: 'syncReportingFlows',
    summary: 'Acquire the organization\u2019s reporting flows from pagoPA FdR now (asynchronous)',
    tags,
    path: inPath(),
    responses: { '202': anyObject('Requested: the flows published since the last acquisition are fetched, stored and matched.') },
  },
  [`POST ${ORG}/treasury/statements`]: {
    operationId: 'importTreasuryStatement',
    summary: 'Import a treasury statement (CSV layout, ISO 20022 camt.053 or the SIOPE+ OPI giornale di cassa; as JSON or as the file itself): each credit matched to the flow its remittance names',
    tags,
    path: inPath(),
    body: { schema: { zod: treasuryStatementSchema, name: 'TreasuryStatement' } },
    responses: {
      '201': anyObject('Imported: the new movements and their state; movements imported before are counted as duplicates.'),
      '400': problem('The statement cannot be read; the offending lines are named.'),
      '413': problem('The body is over 1 MiB.'),
      '415': problem('The Content-Type is not application/json, text/csv, application/xml or text/xml (or its charset is not read).'),
    },
  },
  ...Object.fromEntries(Object.entries(RECONCILIATION_READ_DOCS).map(([path, doc]) => [`GET ${ORG}${path}`, { ...doc, tags, path: inPath(doc.path) }])),
});
