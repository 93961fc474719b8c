/**
 * The OpenAPI 3.1 document of the back-office API, generated from the same zod schemas that
 * validate requests (JSON Schema 2020-12 is OpenAPI 3.1's schema dialect). A copy is committed at
 * shared/http/openapi.json (`npm run openapi` rewrites it) and a test fails when it is stale.
 */
import * as z from 'zod';
import { POSITION_STATUSES } from '../domain/debt-position';
import './debt-position-schemas';

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

  const positions = '/organizations/{organizationFiscalCode}/debtpositions';
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
    },
    components: {
      schemas,
      securitySchemes: {
        ApiKey: { type: 'apiKey', in: 'header', name: 'Ocp-Apim-Subscription-Key', description: 'The organization API key.' },
      },
    },
  };
}
