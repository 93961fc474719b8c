/**
 * The OpenAPI entries of the operator console's API (/console-api, ./console-edge.ts): no tenant
 * API key, an operator's OpenID Connect bearer token instead (the `Authorization` header below),
 * with the same schemas as the back-office routes it mirrors.
 */
import * as z from 'zod';
import { CONSOLE_API_BASE, consoleSearchQuerySchema } from './console-edge';
import { createQuerySchema, iupd, paymentPositionResponseSchema, paymentPositionSchema, problemJsonSchema } from './debt-position-schemas';
import { documentRoutes, type ResponseDoc, type RouteDoc } from './openapi-registry';

const ORG = `${CONSOLE_API_BASE}/organizations/{organizationFiscalCode}`;
const problem = (description: string): ResponseDoc => ({ description, schema: problemJsonSchema });
const anyObject = (description: string): ResponseDoc => ({ description, schema: { json: { type: 'object' } } });
const tags = ['Operator console'];
const organizationFiscalCode = z
  .string()
  .regex(/^\d{11}$/)
  .meta({ description: 'Fiscal code of the creditor organization (11 digits); it must be among the organizations of the operator\u2019s token.' });
const inPath = (more: Record<string, z.ZodType> = {}) => z.object({ organizationFiscalCode, ...more });
const positionPath = inPath({ iupd: iupd.meta({ description: 'The IUPD of the position.' }) });

const bearer: RouteDoc['headers'] = {
  authorization: {
    description:
      'Bearer <JWT>: the operator\u2019s access token from the console\u2019s OpenID provider (Amazon Cognito on AWS), signed RS256/ES256, with claims role (admin | operator | viewer) and organizations.',
    required: true,
    schema: { type: 'string', pattern: '^Bearer ' },
  },
};
const refusals = (permission: 'signed-in' | 'read' | 'write'): Record<string, ResponseDoc> => ({
  '401': problem('No bearer token, or it fails verification (signature, issuer, audience, expiry).'),
  ...(permission === 'signed-in' ? {} : { '403': problem(permission === 'write' ? 'The organization is not among the operator\u2019s, or their role is read only (viewer).' : 'The organization is not among the operator\u2019s.') }),
  '503': problem('Operator sign-in is not configured in this deployment, or the identity provider\u2019s keys could not be read (retry).'),
});

documentRoutes({
  [`GET ${CONSOLE_API_BASE}/me`]: {
    operationId: 'consoleMe',
    summary: 'The signed-in operator: name, role and the active organizations they serve',
    tags,
    headers: bearer,
    responses: { '200': anyObject('The operator and their organizations.'), ...refusals('signed-in') },
  },
  [`GET ${ORG}/dashboard`]: {
    operationId: 'consoleDashboard',
    summary: 'Positions of the organization by status, and the latest created',
    tags,
    path: inPath(),
    headers: bearer,
    responses: { '200': anyObject('Counts by stored status, the total and the five latest positions.'), ...refusals('read') },
  },
  [`GET ${ORG}/debtpositions`]: {
    operationId: 'consoleSearchDebtPositions',
    summary: 'Search positions: a page (by status), or one by IUPD or notice number',
    tags,
    path: inPath(),
    query: consoleSearchQuerySchema,
    headers: bearer,
    responses: { '200': anyObject('items, page, limit, total, totalPages.'), '400': problem('Invalid query.'), ...refusals('read') },
  },
  [`POST ${ORG}/debtpositions`]: {
    operationId: 'consoleCreateDebtPosition',
    summary: 'Create a debt position (as POST /organizations/{organizationFiscalCode}/debtpositions), audited as the operator',
    tags,
    path: inPath(),
    query: createQuerySchema,
    headers: bearer,
    body: { schema: paymentPositionSchema },
    responses: { '201': { description: 'Created.', schema: paymentPositionResponseSchema }, '400': problem('Invalid position: every offending field in `errors`.'), '409': problem('The IUPD exists already.'), ...refusals('write') },
  },
  [`GET ${ORG}/debtpositions/{iupd}`]: {
    operationId: 'consoleGetDebtPosition',
    summary: 'A position, the receipts of its notices and its audit trail (who did what: operator, API key or the layer)',
    tags,
    path: positionPath,
    headers: bearer,
    responses: { '200': anyObject('position, receipts (who paid, how much, which PSP, when) and audit.'), '404': problem('No such position.'), ...refusals('read') },
  },
  [`POST ${ORG}/debtpositions/{iupd}/publish`]: {
    operationId: 'consolePublishDebtPosition',
    summary: 'Publish a draft position, audited as the operator',
    tags,
    path: positionPath,
    headers: bearer,
    responses: { '200': { description: 'Published.', schema: paymentPositionResponseSchema }, '404': problem('No such position.'), '409': problem('Not a draft.'), ...refusals('write') },
  },
  [`POST ${ORG}/debtpositions/{iupd}/invalidate`]: {
    operationId: 'consoleInvalidateDebtPosition',
    summary: 'Invalidate (annul) a position, audited as the operator',
    tags,
    path: positionPath,
    headers: bearer,
    responses: { '200': { description: 'Invalidated.', schema: paymentPositionResponseSchema }, '404': problem('No such position.'), '409': problem('Not in a status that can be invalidated.'), ...refusals('write') },
  },
  [`GET ${ORG}/debtpositions/{iupd}/notice`]: {
    operationId: 'consoleGetDebtPositionNotice',
    summary: 'The payment notice (PDF) of a payable position',
    tags,
    path: positionPath,
    headers: bearer,
    responses: { '200': { description: 'The notice.', contentType: 'application/pdf', schema: { json: { type: 'string', format: 'binary' } } }, '404': problem('No such position.'), '409': problem('The position has no notice (not payable).'), ...refusals('read') },
  },
});
