/**
 * The OpenAPI entries of the GPD operations beyond one position (gpd-operation-schemas.ts), and
 * GPD's base paths: every route under /gpd/debt-positions-service/v1 or /v2 without an entry of
 * its own is the root route of the same path (operation ids suffixed V1 / V2). The v2 bulk
 * routes share their path with v1's create and list, so they have entries of their own.
 */
import * as z from 'zod';
import { problemJsonSchema } from './debt-position-schemas';
import {
  GPD_BASE_V1,
  GPD_BASE_V2,
  alreadyPaidSchema,
  appInfoSchema,
  bulkQuerySchema,
  ibanReplacementQuerySchema,
  ibanReplacementResponseSchema,
  ibanReplacementSchema,
  multipleIupdsSchema,
  multiplePositionsSchema,
  paymentsModelResponseSchema,
} from './gpd-operation-schemas';
import { documentBasePath, documentRoutes, type ResponseDoc } from './openapi-registry';

const ORG = '/organizations/{organizationFiscalCode}';
const problem = (description: string): ResponseDoc => ({ description, schema: problemJsonSchema });
const organizationFiscalCode = z.string().regex(/^\d{11}$/).meta({ description: 'Fiscal code of the creditor organization (11 digits).' });
const nav = z.string().regex(/^\d{18}$/).meta({ description: 'The notice number (codice avviso, NAV): aux digit 3 and the IUV.' });

documentBasePath(GPD_BASE_V1, 'V1');
documentBasePath(GPD_BASE_V2, 'V2');

const bulkTag = ['Debt positions (GPD v2 bulk)'];

documentRoutes({
  'GET /info': {
    operationId: 'healthCheck',
    summary: 'GPD healthCheck: name, version and environment of this layer',
    description: 'Needs an API key of any tenant (GPD asks the subscription key on every operation).',
    tags: ['Platform'],
    responses: { '200': { description: 'AppInfo.', schema: appInfoSchema } },
  },
  [`POST ${ORG}/paymentoptions/paids/{nav}`]: {
    operationId: 'setPaymentOptionAsAlreadyPaid',
    summary: 'Mark a payment option paid outside pagoPA',
    description:
      'The option becomes PO_PAID (the position PAID, or PARTIALLY_PAID for an installment), audited and announced as payment.received; ' +
      'the pagoPA node then gets PAA_PAGAMENTO_DUPLICATO for that notice. idReceipt and pspCompany are CLOSED_AS_ALREADY_PAID_BY_EC.',
    tags: ['Debt positions'],
    path: z.object({ organizationFiscalCode, nav }),
    body: { schema: alreadyPaidSchema },
    responses: {
      '200': { description: 'The option, paid.', schema: paymentsModelResponseSchema },
      '400': problem('Invalid body.'),
      '404': problem('No option with that notice number.'),
      '409': problem('The option (or another payment mode of its position) is already paid.'),
      '422': problem('The position is not payable (DRAFT, PUBLISHED before its validity date, INVALID, EXPIRED).'),
    },
  },
  [`PATCH ${ORG}/debtpositions/transfers`]: {
    operationId: 'updateTransferIbanMassive',
    summary: 'Replace an IBAN on the organization\u2019s transfers of positions not paid',
    description:
      'Transfers to the organization with iban = oldIban, on unpaid options of DRAFT, PUBLISHED, VALID and PARTIALLY_PAID positions, at most `limit` (≤ 1000) per call. ' +
      'newIban must be one of the organization registered IBANs. Each touched position gets a new version, an audit line and a debt-position.updated event.',
    tags: ['Debt positions'],
    path: z.object({ organizationFiscalCode }),
    query: ibanReplacementQuerySchema,
    body: { schema: ibanReplacementSchema },
    responses: {
      '200': { description: 'How many transfers changed.', schema: ibanReplacementResponseSchema },
      '400': problem('Missing oldIban or newIban, limit above 1000, or newIban not an IBAN of the organization.'),
    },
  },
  [`POST ${GPD_BASE_V2}${ORG}/debtpositions`]: {
    operationId: 'createMultiplePositions',
    summary: 'Create 1..100 debt positions, all or none',
    tags: bulkTag,
    path: z.object({ organizationFiscalCode }),
    query: bulkQuerySchema,
    body: { schema: multiplePositionsSchema },
    responses: {
      '201': { description: 'Every position was created.' },
      '400': problem('Invalid list; `errors` names paymentPositions[i] and its fields. Nothing was created.'),
      '409': problem('An iupd or IUV exists already or appears twice in the list (named). Nothing was created.'),
    },
  },
  [`PUT ${GPD_BASE_V2}${ORG}/debtpositions`]: {
    operationId: 'updateMultiplePositions',
    summary: 'Replace 1..100 debt positions, all or none',
    tags: bulkTag,
    path: z.object({ organizationFiscalCode }),
    query: bulkQuerySchema,
    body: { schema: multiplePositionsSchema },
    responses: {
      '200': { description: 'Every position was updated.' },
      '400': problem('Invalid list. Nothing was changed.'),
      '404': problem('Unknown iupds (named). Nothing was changed.'),
      '409': problem('A position cannot be updated (named), or was changed meanwhile. Nothing was changed.'),
    },
  },
  [`DELETE ${GPD_BASE_V2}${ORG}/debtpositions`]: {
    operationId: 'deleteMultipleDebtPositions',
    summary: 'Delete 1..20 debt positions, all or none',
    tags: bulkTag,
    path: z.object({ organizationFiscalCode }),
    body: { schema: multipleIupdsSchema },
    responses: {
      '200': { description: 'Every position was deleted.', schema: { json: { type: 'string' } } },
      '400': problem('Invalid list. Nothing was deleted.'),
      '404': problem('Unknown iupds (named). Nothing was deleted.'),
      '409': problem('Money moved on a position (named). Nothing was deleted.'),
    },
  },
});
