/**
 * The OpenAPI 3.1 document of the back-office API, generated from the same zod schemas that
 * validate requests (JSON Schema 2020-12 is OpenAPI 3.1's schema dialect). A copy is committed at
 * shared/http/openapi.json (`npm run openapi` rewrites it) and a test fails when it is stale.
 */
import * as z from 'zod';
import { POSITION_STATUSES } from '../domain/debt-position';
import { MESSAGE_KINDS, MessageTemplateSchema } from '../domain/app-io/templates';
import './debt-position-schemas';
import { jsonReceiptSchema, receiptAnomalyListSchema, receiptListSchema } from './receipt-schemas';
import { registerWebhookSchema } from './webhook-schemas';
import { noticeBatchRequestSchema } from './notice-schemas';

const COMPONENTS = [
  'Stamp',
  'TransferModel',
  'PaymentOptionModel',
  'PaymentPositionModel',
  'TransferModelResponse',
  'PaymentOptionModelResponse',
  'PaymentPositionModelResponse',
  'PageInfo',
  'PaymentPositionsInfo',
  'PaymentOptionWithDebtPosition',
  'ProblemJson',
] as const;

type Json = Record<string, unknown>;

/** Schemas without a registered id, published under these component names (fully inlined). */
const NAMED: ReadonlyArray<readonly [string, z.ZodType]> = [
  ['JsonReceipt', jsonReceiptSchema],
  ['ReceiptList', receiptListSchema],
  ['ReceiptAnomalyList', receiptAnomalyListSchema],
  ['WebhookSubscriberRequest', registerWebhookSchema],
  ['NoticeBatchRequest', noticeBatchRequestSchema],
  ['MessageTemplate', MessageTemplateSchema],
];
const named = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

const ref = (name: (typeof COMPONENTS)[number]): Json => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string): Json => ({
  description,
  content: { 'application/problem+json': { schema: ref('ProblemJson') } },
});
const ok = (description: string, schema: Json): Json => ({ description, content: { 'application/json': { schema } } });

const organizationParam: Json = {
  name: 'organizationFiscalCode',
  in: 'path',
  required: true,
  description: 'Fiscal code of the creditor organization (11 digits).',
  schema: { type: 'string', pattern: '^\\d{11}$' },
};
const iupdParam: Json = {
  name: 'iupd',
  in: 'path',
  required: true,
  description: 'The creditor unique identifier of the debt position.',
  schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,70}$' },
};
const toPublishParam: Json = {
  name: 'toPublish',
  in: 'query',
  required: false,
  description: 'Publish the position at once (it becomes payable at its validity date).',
  schema: { type: 'boolean', default: false },
};
const positionBody: Json = { required: true, content: { 'application/json': { schema: ref('PaymentPositionModel') } } };

const common: Json = {
  '401': problem('Missing, unknown or revoked API key.'),
  '403': problem('The API key belongs to another organization.'),
  '500': problem('Unexpected error; the response carries an instance id.'),
};

export function buildOpenApiDocument(): Json {
  const generated = z.toJSONSchema(z.globalRegistry, {
    target: 'draft-2020-12',
    io: 'input',
    uri: (id) => `#/components/schemas/${id}`,
    unrepresentable: 'any',
  }) as { schemas: Record<string, Json> };
  const schemas: Record<string, Json> = {};
  for (const name of COMPONENTS) {
    const schema = generated.schemas[name];
    if (!schema) throw new Error(`schema ${name} is not registered`);
    const { $schema: _s, $id: _i, ...rest } = schema;
    schemas[name] = rest;
  }

  for (const [name, schema] of NAMED) {
    const { $schema: _s, ...rest } = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io: 'input',
      unrepresentable: 'any',
      metadata: z.registry<{ id?: string }>(),
    }) as Json;
    schemas[name] = rest;
  }

  const positions = '/organizations/{organizationFiscalCode}/debtpositions';
  const org = '/organizations/{organizationFiscalCode}';
  const pathParam = (name: string, pattern: string, description: string): Json => ({
    name,
    in: 'path',
    required: true,
    description,
    schema: { type: 'string', pattern },
  });
  const anyJson = (description: string): Json => ok(description, { type: 'object' });
  return {
    openapi: '3.1.0',
    info: {
      title: 'pagoPA municipal layer: debt positions (GPD v1 compatible)',
      version: '1.0.0',
      description:
        'Back-office API for creditor organizations, compatible with pagoPA GPD v1. Amounts are integer euro cents; ' +
        'dates without an offset are Europe/Rome time. Errors are RFC 7807 ProblemJson with an `errors` list naming every offending field.',
    },
    servers: [{ url: '/' }],
    security: [{ ApiKey: [] }],
    paths: {
      '/health': {
        get: {
          operationId: 'health',
          summary: 'Liveness probe',
          security: [],
          responses: { '200': ok('Up.', { type: 'object', properties: { status: { const: 'UP' } } }) },
        },
      },
      '/openapi.json': {
        get: { operationId: 'openapi', summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.1' } } },
      },
      [positions]: {
        post: {
          operationId: 'createPosition',
          summary: 'Create a debt position; options without iuv/nav get notice numbers assigned.',
          parameters: [organizationParam, toPublishParam],
          requestBody: positionBody,
          responses: {
            '201': ok('Created.', ref('PaymentPositionModelResponse')),
            '400': problem('Invalid request; `errors` names every offending field.'),
            '409': problem('A position with that iupd, or an option with that IUV, exists already.'),
            ...common,
          },
        },
        get: {
          operationId: 'getOrganizationDebtPositions',
          summary: 'List the organization debt positions by first due date.',
          parameters: [
            organizationParam,
            { name: 'page', in: 'query', required: true, schema: { type: 'integer', minimum: 0 } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 50, default: 50 } },
            { name: 'status', in: 'query', schema: { type: 'string', enum: [...POSITION_STATUSES] } },
            { name: 'due_date_from', in: 'query', schema: { type: 'string', format: 'date' } },
            { name: 'due_date_to', in: 'query', schema: { type: 'string', format: 'date' } },
            { name: 'orderby', in: 'query', schema: { type: 'string', enum: ['DUE_DATE'] } },
            { name: 'ordering', in: 'query', schema: { type: 'string', enum: ['ASC', 'DESC'], default: 'ASC' } },
          ],
          responses: { '200': ok('A page of positions.', ref('PaymentPositionsInfo')), '400': problem('Invalid query.'), ...common },
        },
      },
      [`${positions}/{iupd}`]: {
        get: {
          operationId: 'getOrganizationDebtPositionByIUPD',
          parameters: [organizationParam, iupdParam],
          responses: { '200': ok('The position.', ref('PaymentPositionModelResponse')), '404': problem('No such position.'), ...common },
        },
        put: {
          operationId: 'updatePosition',
          summary: 'Replace the content of a position (DRAFT, PUBLISHED, VALID or EXPIRED).',
          parameters: [organizationParam, iupdParam, toPublishParam],
          requestBody: positionBody,
          responses: {
            '200': ok('Updated.', ref('PaymentPositionModelResponse')),
            '400': problem('Invalid request.'),
            '404': problem('No such position.'),
            '409': problem('The status forbids updates, an IUV is taken, or another request changed it first.'),
            ...common,
          },
        },
        delete: {
          operationId: 'deletePosition',
          parameters: [organizationParam, iupdParam],
          responses: {
            '200': ok('Deleted.', { type: 'string', const: 'OK' }),
            '404': problem('No such position.'),
            '409': problem('The position has payments and cannot be deleted.'),
            ...common,
          },
        },
      },
      [`${positions}/{iupd}/publish`]: {
        post: {
          operationId: 'publishPosition',
          parameters: [organizationParam, iupdParam],
          responses: {
            '200': ok('Published.', ref('PaymentPositionModelResponse')),
            '404': problem('No such position.'),
            '409': problem('Only DRAFT positions can be published.'),
            ...common,
          },
        },
      },
      [`${positions}/{iupd}/invalidate`]: {
        post: {
          operationId: 'invalidatePosition',
          parameters: [organizationParam, iupdParam],
          responses: {
            '200': ok('Invalidated.', ref('PaymentPositionModelResponse')),
            '404': problem('No such position.'),
            '409': problem('Only PUBLISHED or VALID positions can be invalidated.'),
            ...common,
          },
        },
      },
      '/organizations/{organizationFiscalCode}/paymentoptions/{nav}': {
        get: {
          operationId: 'getPaymentOptionByNoticeNumber',
          parameters: [
            organizationParam,
            { name: 'nav', in: 'path', required: true, schema: { type: 'string', pattern: '^\\d{18}$' } },
          ],
          responses: {
            '200': ok('The option and its position.', ref('PaymentOptionWithDebtPosition')),
            '404': problem('No option with that notice number.'),
            ...common,
          },
        },
      },
      [`${org}/receipts`]: {
        get: {
          operationId: 'listReceipts',
          summary: 'Receipts applied for the organization, newest first, in a time window.',
          parameters: [
            organizationParam,
            { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' } },
            { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
            { name: 'cursor', in: 'query', description: 'Opaque, from the previous page.', schema: { type: 'string' } },
          ],
          responses: { '200': ok('A page of receipts.', named('ReceiptList')), '400': problem('Invalid query.'), ...common },
        },
      },
      [`${org}/receipts/anomalies`]: {
        get: {
          operationId: 'listReceiptAnomalies',
          summary: 'Receipts that could not be applied (unknown notice, wrong amount, not payable, paid twice): the money has moved.',
          parameters: [organizationParam, { name: 'limit', in: 'query', schema: { type: 'integer' } }, { name: 'cursor', in: 'query', schema: { type: 'string' } }],
          responses: { '200': ok('A page of anomalies.', named('ReceiptAnomalyList')), ...common },
        },
      },
      [`${org}/receipts/{iuv}`]: {
        get: {
          operationId: 'getReceiptsOfNotice',
          parameters: [organizationParam, pathParam('iuv', '^\\d{15,17}$', 'The IUV of the payment option.')],
          responses: { '200': anyJson('The receipts of that IUV and which one paid it.'), '404': problem('No receipt for that IUV.'), ...common },
        },
      },
      '/receipts': {
        post: {
          operationId: 'receiveReceipt',
          summary: 'A payment receipt pushed by a payment gateway (pagoPA JSON receipt model, amounts in euro).',
          description:
            'Signed with HMAC-SHA256 over `<timestamp>.<raw body>` using one of the organization webhook secrets, in the header ' +
            '`X-Receipt-Signature: t=<unix>,v1=<hex>`; 5-minute tolerance. 202: queued; 200: already applied; 409: a different receipt paid this option.',
          security: [],
          parameters: [{ name: 'X-Receipt-Signature', in: 'header', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'application/json': { schema: named('JsonReceipt') } } },
          responses: {
            '202': { description: 'Accepted and queued.' },
            '200': { description: 'This exact receipt was already applied.' },
            '400': problem('Invalid receipt.'),
            '401': problem('Missing, invalid or stale signature.'),
            '409': problem('The option was paid by another receipt (PAA_RECEIPT_DUPLICATA).'),
          },
        },
      },
      '/pagopa/paForNode': {
        post: {
          operationId: 'paForNode',
          summary: 'The creditor station for the pagoPA node (SOAP 1.1, paForNode WSDL).',
          description:
            'Operations paVerifyPaymentNotice, paGetPayment, paGetPaymentV2, paSendRT, paSendRTV2 (SOAPAction or body element). ' +
            'Business faults are HTTP 200 responses with outcome KO and a PAA_* fault. On AWS the node is authenticated by mutual TLS / IP allow list.',
          security: [],
          parameters: [{ name: 'SOAPAction', in: 'header', schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'text/xml': { schema: { type: 'string' } } } },
          responses: {
            '200': { description: 'SOAP response (outcome OK, or KO with a fault bean).', content: { 'text/xml': { schema: { type: 'string' } } } },
            '400': { description: 'Not a SOAP request of a known operation (SOAP Fault).' },
          },
        },
      },
      [`${org}/webhooks`]: {
        post: {
          operationId: 'createWebhookSubscriber',
          summary: 'Register a back-office endpoint for events; the signing secret is returned once.',
          parameters: [organizationParam],
          requestBody: { required: true, content: { 'application/json': { schema: named('WebhookSubscriberRequest') } } },
          responses: { '201': anyJson('Created, with the id and the signing secret.'), '400': problem('Invalid URL or event types.'), ...common },
        },
        get: {
          operationId: 'listWebhookSubscribers',
          parameters: [organizationParam],
          responses: { '200': anyJson('The subscribers, without secrets.'), ...common },
        },
      },
      [`${org}/webhooks/{webhookId}`]: {
        delete: {
          operationId: 'deleteWebhookSubscriber',
          parameters: [organizationParam, pathParam('webhookId', '^[A-Za-z0-9-]{1,64}$', 'The subscriber id.')],
          responses: { '204': { description: 'Deleted.' }, '404': problem('No such subscriber.'), ...common },
        },
      },
      [`${org}/webhooks/{webhookId}/deliveries`]: {
        get: {
          operationId: 'listWebhookDeliveries',
          parameters: [
            organizationParam,
            pathParam('webhookId', '^[A-Za-z0-9-]{1,64}$', 'The subscriber id.'),
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
            { name: 'cursor', in: 'query', schema: { type: 'string' } },
          ],
          responses: { '200': anyJson('Deliveries, newest first: attempts, status, last HTTP status.'), ...common },
        },
      },
      [`${positions}/{iupd}/notice`]: {
        get: {
          operationId: 'getPaymentNotice',
          summary: 'The printable pagoPA notice (avviso di pagamento) of a payable position, as PDF.',
          parameters: [organizationParam, iupdParam],
          responses: {
            '200': { description: 'The PDF.', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } },
            '404': problem('No such position.'),
            '409': problem('The position is not payable (draft, paid, invalid, expired): no notice is served.'),
            ...common,
          },
        },
      },
      [`${org}/notices/batches`]: {
        post: {
          operationId: 'createNoticeBatch',
          summary: 'Render the notices of many positions (up to 5000) asynchronously.',
          parameters: [organizationParam],
          requestBody: { required: true, content: { 'application/json': { schema: named('NoticeBatchRequest') } } },
          responses: { '202': anyJson('Accepted, with the batch id.'), '400': problem('Invalid request.'), ...common },
        },
      },
      [`${org}/notices/batches/{batchId}`]: {
        get: {
          operationId: 'getNoticeBatch',
          parameters: [organizationParam, pathParam('batchId', '^[0-9a-f-]{36}$', 'The batch id.')],
          responses: { '200': anyJson('Progress: total, done, failed, state, and the rendered notices when done.'), '404': problem('No such batch.'), ...common },
        },
      },
      [`${org}/io/templates/{kind}`]: {
        put: {
          operationId: 'putIoTemplate',
          summary: 'Save the App IO message template of a kind; refused when any rendering could break IO limits.',
          parameters: [organizationParam, { name: 'kind', in: 'path', required: true, schema: { type: 'string', enum: [...MESSAGE_KINDS] } }],
          requestBody: { required: true, content: { 'application/json': { schema: named('MessageTemplate') } } },
          responses: { '200': anyJson('Saved.'), '400': problem('The template could produce an invalid IO message; the reasons are listed.'), ...common },
        },
      },
      [`${org}/debtors/{fiscalCode}/dossier`]: {
        get: {
          operationId: 'getDebtorDossier',
          summary: "A citizen's dossier (fascicolo): positions, notices, receipts and messages at this organization.",
          parameters: [organizationParam, pathParam('fiscalCode', '^[A-Z0-9]{11,16}$', 'The debtor fiscal code.')],
          responses: { '200': anyJson('The dossier.'), '400': problem('Invalid fiscal code.'), ...common },
        },
      },
    },
    components: {
      schemas,
      securitySchemes: {
        ApiKey: { type: 'apiKey', in: 'header', name: 'Ocp-Apim-Subscription-Key', description: 'The organization API key.' },
      },
    },
  };
}
