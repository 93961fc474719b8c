/**
 * The OpenAPI entry of every http route of the catalog (./openapi-registry.ts): operation ids,
 * summaries, and the zod schemas each handler validates with. A new route is documented here,
 * or in a module of its own imported at the bottom of this file, with the schemas its handler
 * parses; test/unit/openapi.test.ts fails while a catalog route has no entry.
 */
import * as z from 'zod';
import { MESSAGE_KINDS, MessageTemplateSchema } from '../domain/app-io/templates';
import {
  createQuerySchema,
  iupd,
  paymentOptionWithPositionSchema,
  paymentPositionResponseSchema,
  paymentPositionSchema,
  paymentPositionsInfoSchema,
  problemJsonSchema,
} from './debt-position-schemas';
import { listQuerySchema } from './debt-position-list';
import { dossierQuerySchema } from './dossier-mapping';
import { noticeArchiveQuerySchema, noticeBatchQuerySchema, noticeBatchRequestSchema } from './notice-schemas';
import { documentRoutes, type JsonSchema, type ResponseDoc } from './openapi-registry';
import { iuvParamSchema, jsonReceiptSchema, receiptAnomalyListSchema, receiptAnomalyQuerySchema, receiptListSchema, receiptWindowQuerySchema } from './receipt-schemas';
import { listDeliveriesQuerySchema, registerWebhookSchema } from './webhook-schemas';

const ORG = '/organizations/{organizationFiscalCode}';
const POSITIONS = `${ORG}/debtpositions`;

const problem = (description: string): ResponseDoc => ({ description, schema: problemJsonSchema });
const ok = (description: string, schema?: ResponseDoc['schema']): ResponseDoc => (schema ? { description, schema } : { description });
const anyObject = (description: string): ResponseDoc => ({ description, schema: { json: { type: 'object' } } });

const organizationFiscalCode = z
  .string()
  .regex(/^\d{11}$/)
  .meta({ description: 'Fiscal code of the creditor organization (11 digits); the API key must be one of its keys.' });
const inPath = (more: Record<string, z.ZodType> = {}) => z.object({ organizationFiscalCode, ...more });
const positionPath = inPath({ iupd: iupd.meta({ description: 'The creditor\u2019s unique id of the debt position (IUPD).' }) });
const nav = z.string().regex(/^\d{18}$/).meta({ description: 'The notice number (codice avviso, NAV): aux digit 3 and the IUV.' });
const webhookId = z.string().regex(/^[A-Za-z0-9-]{1,64}$/).meta({ description: 'The subscriber id.' });
const html: JsonSchema = { type: 'string' };

documentRoutes({
  // ---- platform ----
  'GET /health': {
    operationId: 'health',
    summary: 'Liveness probe',
    tags: ['Platform'],
    responses: { '200': { description: 'Up.', schema: { json: { type: 'object', properties: { status: { const: 'UP' } }, required: ['status'] } } } },
  },
  'GET /openapi.json': {
    operationId: 'openapi',
    summary: 'This document',
    tags: ['Platform'],
    responses: { '200': { description: 'The OpenAPI 3.1 document.', schema: { json: { type: 'object' } } } },
  },
  'GET /docs': {
    operationId: 'apiReference',
    summary: 'This document as a browsable reference (HTML)',
    description: 'Rendered in the browser by Redoc, from files this API serves (no third-party site is contacted).',
    tags: ['Platform'],
    responses: { '200': { description: 'The reference page.', contentType: 'text/html', schema: { json: html } } },
  },
  'GET /docs/redoc.standalone.js': {
    operationId: 'apiReferenceScript',
    summary: 'The Redoc script the reference page runs',
    tags: ['Platform'],
    responses: { '200': { description: 'Redoc\u2019s standalone bundle (MIT).', contentType: 'text/javascript', schema: { json: html } } },
  },

  // ---- debt positions (GPD v1) ----
  [`POST ${POSITIONS}`]: {
    operationId: 'createPosition',
    summary: 'Create a debt position',
    description:
      'GPD createPosition. Options without iuv/nav get notice numbers from the organization\u2019s counter. With toPublish the position is published at once. ' +
      'A 400 names every offending field, those of the schema and those of the rules across fields (transfers adding up, dates, the organization\u2019s accounts) together.',
    tags: ['Debt positions'],
    path: inPath(),
    query: createQuerySchema,
    body: { schema: paymentPositionSchema },
    responses: {
      '201': ok('Created.', paymentPositionResponseSchema),
      '400': problem('Invalid request; `errors` names every offending field.'),
      '409': problem('A position with that iupd, or an option with that IUV, exists already.'),
    },
  },
  [`GET ${POSITIONS}`]: {
    operationId: 'getOrganizationDebtPositions',
    summary: 'List the organization\u2019s debt positions (GPD page_info)',
    tags: ['Debt positions'],
    path: inPath(),
    query: listQuerySchema,
    responses: { '200': ok('A page of positions.', paymentPositionsInfoSchema), '400': problem('Invalid query; `errors` names every offending parameter.') },
  },
  [`GET ${POSITIONS}/{iupd}`]: {
    operationId: 'getOrganizationDebtPositionByIUPD',
    summary: 'Read a debt position',
    tags: ['Debt positions'],
    path: positionPath,
    responses: { '200': ok('The position, with the status time has made.', paymentPositionResponseSchema), '404': problem('No such position.') },
  },
  [`PUT ${POSITIONS}/{iupd}`]: {
    operationId: 'updatePosition',
    summary: 'Replace the content of a debt position',
    description:
      'GPD updatePosition: allowed in DRAFT, PUBLISHED, VALID and EXPIRED. The position becomes a DRAFT again (not payable until published) unless toPublish publishes it at once. ' +
      'The read-only fields of a GET or create response may be sent back as they were read.',
    tags: ['Debt positions'],
    path: positionPath,
    query: createQuerySchema,
    body: { schema: paymentPositionSchema },
    responses: {
      '200': ok('Replaced.', paymentPositionResponseSchema),
      '400': problem('Invalid request, or the body names another iupd than the path.'),
      '404': problem('No such position.'),
      '409': problem('The status forbids updates, an IUV is taken, or another request changed it first.'),
    },
  },
  [`DELETE ${POSITIONS}/{iupd}`]: {
    operationId: 'deletePosition',
    summary: 'Delete a debt position',
    tags: ['Debt positions'],
    path: positionPath,
    responses: {
      '200': ok('Deleted.', { json: { type: 'string' } }),
      '404': problem('No such position.'),
      '409': problem('Money has moved on the position: it cannot be deleted.'),
    },
  },
  [`POST ${POSITIONS}/{iupd}/publish`]: {
    operationId: 'publishPosition',
    summary: 'Publish a DRAFT debt position',
    tags: ['Debt positions'],
    path: positionPath,
    responses: {
      '200': ok('Published: PUBLISHED until its validity date, then VALID.', paymentPositionResponseSchema),
      '404': problem('No such position.'),
      '409': problem('Only a DRAFT with a due date ahead can be published.'),
    },
  },
  [`POST ${POSITIONS}/{iupd}/invalidate`]: {
    operationId: 'invalidatePosition',
    summary: 'Invalidate a published debt position',
    tags: ['Debt positions'],
    path: positionPath,
    responses: {
      '200': ok('Invalidated.', paymentPositionResponseSchema),
      '404': problem('No such position.'),
      '409': problem('Only PUBLISHED or VALID positions can be invalidated.'),
    },
  },
  [`GET ${ORG}/paymentoptions/{nav}`]: {
    operationId: 'getPaymentOptionByNoticeNumber',
    summary: 'A payment option and its position, by notice number',
    tags: ['Debt positions'],
    path: inPath({ nav }),
    responses: { '200': ok('The option and its position.', paymentOptionWithPositionSchema), '404': problem('No option with that notice number.') },
  },
  [`GET ${POSITIONS}/{iupd}/notice`]: {
    operationId: 'getPaymentNotice',
    summary: 'The printable pagoPA notice (avviso di pagamento) of a payable position, as PDF',
    tags: ['Payment notices'],
    path: positionPath,
    responses: {
      '200': { description: 'The PDF.', contentType: 'application/pdf', schema: { json: { type: 'string', contentMediaType: 'application/pdf' } } },
      '404': problem('No such position.'),
      '409': problem('The position is not payable (draft, paid, invalid, expired): no notice is served.'),
    },
  },
  [`POST ${ORG}/notices/batches`]: {
    operationId: 'createNoticeBatch',
    summary: 'Render the notices of many positions (up to 5000) asynchronously',
    tags: ['Payment notices'],
    path: inPath(),
    body: { schema: { zod: noticeBatchRequestSchema, name: 'NoticeBatchRequest' } },
    responses: { '202': anyObject('Accepted, with the batch id.'), '400': problem('Invalid request.') },
  },
  [`GET ${ORG}/notices/batches/{batchId}`]: {
    operationId: 'getNoticeBatch',
    summary: 'Progress of a notice batch, and where its notices are',
    tags: ['Payment notices'],
    path: inPath({ batchId: z.string().regex(/^[0-9a-f-]{36}$/).meta({ description: 'The batch id.' }) }),
    query: noticeBatchQuerySchema,
    responses: {
      '200': anyObject('Progress: total, done, failed, state, the ZIP archives of a finished batch (`archives`: part, firstPosition, lastPosition, href), and a page of the positions (totalItems, totalPages) with where each notice is.'),
      '400': problem('Invalid query.'),
      '404': problem('No such batch.'),
    },
  },

  [`GET ${ORG}/notices/batches/{batchId}/archive`]: {
    operationId: 'getNoticeBatchArchive',
    summary: "A finished batch's notices as one ZIP archive (part n: the batch's positions (n-1)*5000+1 .. n*5000)",
    description:
      'This layer\u2019s own route. Answers **303 See Other** with `Location:` a presigned GET of the ZIP (valid 5 minutes, served as `avvisi-<batchId>[-parte-n-di-m].zip`), ' +
      'built on the first request and stored, so later ones are immediate. Entries `<position number, 6 digits>-<iupd>.pdf`, in the batch\u2019s order; a position whose notice failed, ' +
      'or whose notice is gone since the batch (paid, invalidated, deleted or changed), is not in it. The batch\u2019s progress lists its parts in `archives`.',
    tags: ['Payment notices'],
    path: inPath({ batchId: z.string().regex(/^[0-9a-f-]{36}$/).meta({ description: 'The batch id.' }) }),
    query: noticeArchiveQuerySchema,
    responses: {
      '303': { description: 'See Other: Location is the presigned GET of the archive.', headers: { location: { description: 'The presigned GET of the ZIP (5 minutes).', schema: { type: 'string' } } } },
      '400': problem('Invalid query (part not a whole number from 1).'),
      '404': problem('No such batch, or no such part.'),
      '409': problem('The batch is still rendering: ask when its state is DONE or DONE_WITH_ERRORS.'),
    },
  },

  // ---- receipts ----
  [`GET ${ORG}/receipts`]: {
    operationId: 'listReceipts',
    summary: 'Receipts applied for the organization, newest first, in a time window',
    tags: ['Receipts'],
    path: inPath(),
    query: receiptWindowQuerySchema,
    responses: { '200': ok('A page of receipts.', { zod: receiptListSchema, name: 'ReceiptList' }), '400': problem('Invalid query.') },
  },
  [`GET ${ORG}/receipts/anomalies`]: {
    operationId: 'listReceiptAnomalies',
    summary: 'Receipts that could not be applied: the money has moved (with the staff\u2019s notes; filter by kind and state)',
    tags: ['Receipts'],
    path: inPath(),
    query: receiptAnomalyQuerySchema,
    responses: { '200': ok('A page of anomalies.', { zod: receiptAnomalyListSchema, name: 'ReceiptAnomalyList' }), '400': problem('Invalid query.') },
  },
  [`GET ${ORG}/receipts/{iuv}`]: {
    operationId: 'getReceiptsOfNotice',
    summary: 'The receipts of one notice (IUV) and which one paid it',
    tags: ['Receipts'],
    path: inPath({ iuv: iuvParamSchema.meta({ description: 'The IUV of the payment option.' }) }),
    responses: { '200': anyObject('The receipts of that IUV.'), '400': problem('Not an IUV.'), '404': problem('No receipt for that IUV.') },
  },
  'POST /receipts': {
    operationId: 'receiveReceipt',
    summary: 'A payment receipt pushed by a payment gateway (pagoPA JSON receipt model, amounts in euro)',
    description:
      'Signed with HMAC-SHA256 over `<timestamp>.<raw body>` using one of the organization webhook secrets, in the header ' +
      '`X-Receipt-Signature: t=<unix>,v1=<hex>`; 5-minute tolerance. 202: queued; 200: already applied; 409: a different receipt paid this option.',
    tags: ['Receipts'],
    headers: { 'X-Receipt-Signature': { description: '`t=<unix seconds>,v1=<hex HMAC-SHA256>`', required: true, schema: { type: 'string' } } },
    body: { schema: { zod: jsonReceiptSchema, name: 'JsonReceipt' } },
    responses: {
      '200': anyObject('This exact receipt was already applied.'),
      '202': anyObject('Accepted and queued.'),
      '400': problem('Invalid receipt.'),
      '401': problem('Missing, invalid or stale signature.'),
      '409': problem('The option was paid by another receipt (PAA_RECEIPT_DUPLICATA).'),
    },
  },
  'POST /pagopa/paForNode': {
    operationId: 'paForNode',
    summary: 'The creditor station for the pagoPA node (SOAP 1.1, paForNode WSDL)',
    description:
      'Operations paVerifyPaymentNotice, paGetPayment, paGetPaymentV2, paSendRT, paSendRTV2, paDemandPaymentNotice (SOAPAction or body element). ' +
      'Business faults are HTTP 200 responses with outcome KO and a PAA_* fault whose id is the creditor\u2019s fiscal code. ' +
      'On AWS the node is authenticated by mutual TLS / IP allow list.',
    tags: ['pagoPA node'],
    notJson: true,
    headers: { SOAPAction: { description: 'The paForNode operation.', required: false, schema: { type: 'string' } } },
    body: { schema: { json: { type: 'string' } }, contentType: 'text/xml' },
    responses: {
      '200': { description: 'SOAP response (outcome OK, or KO with a fault bean).', contentType: 'text/xml', schema: { json: { type: 'string' } } },
      '400': { description: 'Not a SOAP request of a known operation, or of no creditor (SOAP Fault).', contentType: 'text/xml', schema: { json: { type: 'string' } } },
    },
  },

  // ---- webhooks ----
  [`POST ${ORG}/webhooks`]: {
    operationId: 'createWebhookSubscriber',
    summary: 'Register a back-office endpoint for events; the signing secret is returned once',
    tags: ['Webhooks'],
    path: inPath(),
    body: { schema: { zod: registerWebhookSchema, name: 'WebhookSubscriberRequest' } },
    responses: { '201': anyObject('Created, with the id and the signing secret.'), '400': problem('Invalid URL or event types.') },
  },
  [`GET ${ORG}/webhooks`]: {
    operationId: 'listWebhookSubscribers',
    summary: 'The organization\u2019s webhook subscribers, without secrets',
    tags: ['Webhooks'],
    path: inPath(),
    responses: { '200': anyObject('The subscribers.') },
  },
  [`DELETE ${ORG}/webhooks/{webhookId}`]: {
    operationId: 'deleteWebhookSubscriber',
    summary: 'Remove a webhook subscriber',
    tags: ['Webhooks'],
    path: inPath({ webhookId }),
    responses: { '204': ok('Deleted.'), '404': problem('No such subscriber.') },
  },
  [`GET ${ORG}/webhooks/{webhookId}/deliveries`]: {
    operationId: 'listWebhookDeliveries',
    summary: 'Deliveries to a webhook subscriber, newest first',
    tags: ['Webhooks'],
    path: inPath({ webhookId }),
    query: listDeliveriesQuerySchema,
    responses: { '200': anyObject('Deliveries: attempts, status, last HTTP status.'), '400': problem('Invalid query.') },
  },

  // ---- App IO, debtors ----
  [`PUT ${ORG}/io/templates/{kind}`]: {
    operationId: 'putIoTemplate',
    summary: 'Save the App IO message template of a kind',
    description: 'Refused when any rendering could break App IO\u2019s limits.',
    tags: ['App IO'],
    path: inPath({ kind: z.enum(MESSAGE_KINDS).meta({ description: 'The message kind.' }) }),
    body: { schema: { zod: MessageTemplateSchema, name: 'MessageTemplate' } },
    responses: { '200': anyObject('Saved.'), '400': problem('The template could produce an invalid IO message; the reasons are listed.') },
  },
  [`GET ${ORG}/debtors/{fiscalCode}/dossier`]: {
    operationId: 'getDebtorDossier',
    summary: 'A citizen\u2019s dossier (fascicolo): positions, notices, receipts and messages at this organization',
    tags: ['Debtors'],
    path: inPath({ fiscalCode: z.string().regex(/^[A-Z0-9]{11,16}$/).meta({ description: 'The debtor\u2019s fiscal code.' }) }),
    query: dossierQuerySchema,
    responses: { '200': anyObject('The dossier.'), '400': problem('Invalid fiscal code or query.') },
  },
});

// Modules that document routes of their own (each calls documentRoutes):
import './gpd-operation-routes';
import './gpd-upload-routes';
import './reconciliation-routes';
import './console-routes';
import './citizen-routes';
