/**
 * The OpenAPI entries of the operator console's API (/console-api, ./console-edge.ts): no tenant
 * API key, an operator's OpenID Connect bearer token instead (the `Authorization` header below),
 * with the same schemas as the back-office routes it mirrors.
 */
import * as z from 'zod';
import { CONSOLE_API_BASE, apiKeyRequestSchema, consoleSearchQuerySchema } from './console-edge';
import { anomalyNoteSchema, consoleAnomalyQuerySchema, consoleReceiptQuerySchema } from './console-receipts';
import { createQuerySchema, iupd, paymentPositionResponseSchema, paymentPositionSchema, problemJsonSchema } from './debt-position-schemas';
import { documentRoutes, type ResponseDoc, type RouteDoc } from './openapi-registry';
import { RECONCILIATION_READ_DOCS } from './reconciliation-routes';
import { listDeliveriesQuerySchema, registerWebhookSchema } from './webhook-schemas';
import { alreadyPaidSchema } from './gpd-operation-schemas';
import { MAX_INLINE_FILE_BYTES } from './gpd-upload-edge';
import { noticeArchiveQuerySchema } from './notice-schemas';
import { announceUploadSchema } from './gpd-upload-schemas';
import { MAX_PRESIGNED_BYTES, PRESIGNED_URL_SECONDS } from '../use-cases/bulk-upload/uploads';
import { MESSAGE_KINDS, MessageTemplateSchema } from '../domain/app-io/templates';

const ORG = `${CONSOLE_API_BASE}/organizations/{organizationFiscalCode}`;
const problem = (description: string): ResponseDoc => ({ description, schema: problemJsonSchema });
const anyObject = (description: string): ResponseDoc => ({ description, schema: { json: { type: 'object' } } });
const tags = ['Operator console'];
const organizationFiscalCode = z
  .string()
  .regex(/^\d{11}$/)
  .meta({ description: 'Fiscal code of the creditor organization (11 digits); it must be among the organizations of the operator\u2019s token.' });
const inPath = (more: Record<string, z.ZodType> = {}) => z.object({ organizationFiscalCode, ...more });
const uploadPath = inPath({ fileId: z.string().meta({ description: 'The id of the upload (as answered when it was posted).' }) });
const positionPath = inPath({ iupd: iupd.meta({ description: 'The IUPD of the position.' }) });
const anomalyPath = inPath({ anomalyId: z.string().meta({ description: 'The anomaly\u2019s id, as the list gives it (opaque).' }) });
const templatePath = inPath({ kind: z.enum(MESSAGE_KINDS).meta({ description: 'The kind of message.' }) });
const webhookPath = inPath({ webhookId: z.string().meta({ description: 'The subscriber\u2019s id.' }) });
const csv = (description: string): ResponseDoc => ({ description, contentType: 'text/csv', schema: { json: { type: 'string' } } });

const bearer: RouteDoc['headers'] = {
  authorization: {
    description:
      'Bearer <JWT>: the operator\u2019s access token from the console\u2019s OpenID provider (Amazon Cognito on AWS), signed RS256/ES256, with claims role (admin | operator | viewer) and organizations.',
    required: true,
    schema: { type: 'string', pattern: '^Bearer ' },
  },
};
const FORBIDDEN = {
  read: 'The organization is not among the operator\u2019s.',
  write: 'The organization is not among the operator\u2019s, or their role is read only (viewer).',
  admin: 'The organization is not among the operator\u2019s, or their role is not admin.',
};
const refusals = (permission: 'signed-in' | keyof typeof FORBIDDEN): Record<string, ResponseDoc> => ({
  '401': problem('No bearer token, or it fails verification (signature, issuer, audience, expiry).'),
  ...(permission === 'signed-in' ? {} : { '403': problem(FORBIDDEN[permission]) }),
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
    summary: 'Positions of the organization by status, the latest created, today\u2019s and this month\u2019s payments, the open anomalies',
    tags,
    path: inPath(),
    headers: bearer,
    responses: { '200': anyObject('Counts by stored status, the total, the five latest positions; payments.today and payments.month (count, amount in cents, by Rome calendar); openAnomalies.'), ...refusals('read') },
  },
  [`GET ${ORG}/debtpositions`]: {
    operationId: 'consoleSearchDebtPositions',
    summary: 'Search positions: a page (by status, due dates), one by IUPD or notice number, a debtor\u2019s by fiscal code (newest first) or the debtors\u2019 by name (by name; cursor pages)',
    tags,
    path: inPath(),
    query: consoleSearchQuerySchema,
    headers: bearer,
    responses: { '200': anyObject('items, page, limit, total, totalPages; with debtor or debtor_name: items, limit and cursor (absent on the last page).'), '400': problem('Invalid query.'), ...refusals('read') },
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
    summary: 'A position, the receipts of its notices, its messages, the webhook deliveries of its events and its audit trail (who did what: operator, API key or the layer)',
    tags,
    path: positionPath,
    headers: bearer,
    responses: { '200': anyObject('position, receipts (who paid, how much, which PSP, when), messages (App IO and e-mail: kind, channel, outcome), webhookDeliveries (the latest 50 deliveries of the events about it to the organization\u2019s subscribers, newest first: items with event type, subscriber, status, attempts, last answer; limit; more) and audit.'), '404': problem('No such position.'), ...refusals('read') },
  },
  [`PUT ${ORG}/debtpositions/{iupd}`]: {
    operationId: 'consoleUpdateDebtPosition',
    summary: 'Replace a position (as PUT /organizations/{organizationFiscalCode}/debtpositions/{iupd}): a DRAFT again unless toPublish; options sent back with their IUV keep their notice numbers; audited as the operator',
    tags,
    path: positionPath,
    query: createQuerySchema,
    headers: bearer,
    body: { schema: paymentPositionSchema },
    responses: { '200': { description: 'Updated.', schema: paymentPositionResponseSchema }, '400': problem('Invalid position: every offending field in `errors`.'), '404': problem('No such position.'), '409': problem('Not in a status that can be updated, or changed meanwhile.'), ...refusals('write') },
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
  [`POST ${ORG}/paymentoptions/{nav}/paid`]: {
    operationId: 'consoleMarkPaymentOptionPaid',
    summary: 'Mark a payment option paid outside pagoPA (as GPD setPaymentOptionAsAlreadyPaid), audited as the operator',
    tags,
    path: inPath({ nav: z.string().meta({ description: 'The notice number (18 digits).' }) }),
    headers: bearer,
    body: { schema: alreadyPaidSchema },
    responses: {
      '200': { description: 'The position, the option PO_PAID.', schema: paymentPositionResponseSchema },
      '404': problem('No option with that notice number.'),
      '409': problem('Already paid (the option, or the other payment mode).'),
      '422': problem('The position is not payable (draft, invalid, expired).'),
      ...refusals('write'),
    },
  },
  [`GET ${ORG}/debtpositions/{iupd}/notice`]: {
    operationId: 'consoleGetDebtPositionNotice',
    summary: 'The payment notice (PDF) of a payable position',
    tags,
    path: positionPath,
    headers: bearer,
    responses: { '200': { description: 'The notice.', contentType: 'application/pdf', schema: { json: { type: 'string', format: 'binary' } } }, '404': problem('No such position.'), '409': problem('The position has no notice (not payable).'), ...refusals('read') },
  },
  [`GET ${ORG}/uploads`]: {
    operationId: 'consoleListUploads',
    summary: 'The uploads of tax lists of the last 30 days, newest first (GPD UploadStatusDTO each, with the file name)',
    tags,
    path: inPath(),
    headers: bearer,
    responses: { '200': anyObject('items: the uploads.'), ...refusals('read') },
  },
  [`POST ${ORG}/uploads`]: {
    operationId: 'consoleUploadFile',
    summary: 'Upload a tax list (multipart/form-data, part `file`: a ZIP with GPD\u2019s JSON, or GovPay\u2019s CSV; fields operation, toPublish, ioSendAt), audited as the operator',
    tags,
    path: inPath(),
    headers: bearer,
    responses: {
      '202': anyObject('The upload, IN_PROGRESS (GPD UploadStatusDTO).'),
      '400': problem('No file part, a corrupt ZIP, two files in it, an invalid operation or ioSendAt.'),
      '413': problem(`The file is over ${MAX_INLINE_FILE_BYTES} bytes (4 MiB): announce it to POST …/uploads/presigned instead.`),
      '422': problem('Not GPD\u2019s JSON model, or not GovPay\u2019s CSV header.'),
      ...refusals('write'),
    },
  },
  [`POST ${ORG}/uploads/presigned`]: {
    operationId: 'consoleAnnouncePresignedUpload',
    summary: `Announce a tax list over ${MAX_INLINE_FILE_BYTES} bytes (up to ${MAX_PRESIGNED_BYTES}): a presigned S3 upload, audited as the operator`,
    description:
      'The presigned upload of POST /brokers/{brokerCode}/organizations/{organizationFiscalCode}/debtpositions/file/uploads for the operator\u2019s municipality ' +
      '(its broker), with the same request body, validation and limits. The upload is recorded AWAITING_FILE (the operator as its actor) and the answer carries ' +
      `a URL to PUT the file\u2019s bytes to, valid ${PRESIGNED_URL_SECONDS / 60} minutes, with Content-Type and Content-Length signed (another length is refused by S3 with 403). ` +
      'The console\u2019s browser PUTs straight to S3 (the uploads bucket allows a PUT from the console\u2019s origin, CORS); once S3 reports the object stored, the file gets the ' +
      'checks of an inline upload (a failing one ends the upload REFUSED with its reason) and the same processing: follow it at GET …/uploads/{fileId}.',
    tags,
    path: inPath(),
    headers: bearer,
    body: { schema: { zod: announceUploadSchema, name: 'PresignedUploadRequest' } },
    responses: {
      '201': {
        description: 'The upload, AWAITING_FILE, and where to PUT its file.',
        schema: {
          json: {
            type: 'object',
            required: ['fileId', 'uploadUrl', 'method', 'headers', 'expiresAt', 'maxBytes', 'upload'],
            properties: {
              fileId: { type: 'string', description: 'The upload\u2019s id (GET …/uploads/{fileId}).' },
              uploadUrl: { type: 'string', format: 'uri', description: 'A SigV4 presigned S3 URL (query authentication): PUT the file here before expiresAt.' },
              method: { const: 'PUT' },
              headers: {
                type: 'object',
                additionalProperties: { type: 'string' },
                description: 'The signed headers of the PUT: content-type (send it as given) and content-length (the announced size; a browser sets it from the file).',
              },
              expiresAt: { type: 'string', format: 'date-time' },
              maxBytes: { type: 'integer', description: `The largest file this route takes (${MAX_PRESIGNED_BYTES}).` },
              upload: { type: 'object', description: 'The upload as GET …/uploads lists it (GPD UploadStatusDTO, state AWAITING_FILE, with the file name).' },
            },
          },
        },
      },
      '400': problem(`A body that is not the announcement (every offending field in \`errors\`): no size, a size over ${MAX_PRESIGNED_BYTES} bytes, a file name that is not .zip or .csv; an ioSendAt that is not a future ISO 8601 date-time within 365 days, or on an upload that does not create and publish.`),
      ...refusals('write'),
    },
  },
  [`GET ${ORG}/uploads/{fileId}`]: {
    operationId: 'consoleGetUpload',
    summary: 'An upload\u2019s status (processed of submitted rows; the paced App IO release of a published CREATE) and, once ended, its report: every refused row with its line, iupd and reasons; and its notice batch',
    tags,
    path: uploadPath,
    headers: bearer,
    responses: { '200': anyObject('status (ioMessages: state, released, releasedAt, releasedUntil), and once ended report (GPD UploadReportDTO) and, for a published CREATE, noticeBatch (state PREPARING | RUNNING | DONE | DONE_WITH_ERRORS, total, done, failed, the first 20 failures).'), '404': problem('No such upload.'), ...refusals('read') },
  },
  [`GET ${ORG}/uploads/{fileId}/result`]: {
    operationId: 'consoleGetUploadResult',
    summary: 'The result file of an ended upload, in GovPay\u2019s layout (…,numeroAvviso,…,errore)',
    tags,
    path: uploadPath,
    headers: bearer,
    responses: {
      '200': { description: 'The result CSV.', contentType: 'text/csv', schema: { json: { type: 'string' } } },
      '303': { description: 'A large result file: a presigned GET of the stored file (5 minutes).' },
      '404': problem('No such upload.'),
      '425': problem('The upload has not ended yet.'),
      ...refusals('read'),
    },
  },
  [`GET ${ORG}/notices/batches/{batchId}/archive`]: {
    operationId: 'consoleGetNoticeArchive',
    summary: 'The notices of an upload\u2019s finished notice batch as one ZIP archive (part n: positions (n-1)*5000+1 .. n*5000)',
    description: 'The REST route GET /organizations/{organizationFiscalCode}/notices/batches/{batchId}/archive for the operator\u2019s municipality: the upload\u2019s `noticeBatch.archives` lists the parts.',
    tags,
    path: inPath({ batchId: z.string().regex(/^[0-9a-f-]{36}$/).meta({ description: 'The notice batch id (an upload\u2019s is its fileId).' }) }),
    query: noticeArchiveQuerySchema,
    headers: bearer,
    responses: {
      '303': { description: 'A presigned GET of the stored archive (5 minutes).' },
      '400': problem('Invalid query.'),
      '404': problem('No such batch, or no such part.'),
      '409': problem('The batch is still rendering.'),
      ...refusals('read'),
    },
  },
  [`POST ${ORG}/uploads/{fileId}/cancel`]: {
    operationId: 'consoleCancelUpload',
    summary: 'Cancel an upload in progress: the chunks not applied yet are not; their rows are reported as cancelled',
    tags,
    path: uploadPath,
    headers: bearer,
    responses: { '200': anyObject('The cancelled upload.'), '404': problem('No such upload.'), '409': problem('It has ended already.'), ...refusals('write') },
  },
  [`GET ${ORG}/receipts`]: {
    operationId: 'consoleListReceipts',
    summary: 'The receipts recorded in a window of days (Rome), oldest first, a page at a time',
    tags,
    path: inPath(),
    query: consoleReceiptQuerySchema,
    headers: bearer,
    responses: { '200': anyObject('items (who paid, how much, which PSP, when) and cursor while there are more.'), '400': problem('Invalid query: every offending field in `errors`.'), ...refusals('read') },
  },
  [`GET ${ORG}/receipts/export`]: {
    operationId: 'consoleExportReceipts',
    summary: 'The receipts of a window as CSV (UTF-8 with BOM, CRLF; amounts in euro; at most 10,000 lines)',
    tags,
    path: inPath(),
    query: consoleReceiptQuerySchema,
    headers: bearer,
    responses: { '200': csv('One line per receipt.'), '400': problem('Invalid query, or more than 10,000 receipts in the window.'), ...refusals('read') },
  },
  [`GET ${ORG}/anomalies`]: {
    operationId: 'consoleListAnomalies',
    summary: 'Receipt anomalies (money that moved but could not be applied) of a window, by kind and state (open / handled)',
    tags,
    path: inPath(),
    query: consoleAnomalyQuerySchema,
    headers: bearer,
    responses: { '200': anyObject('items (each with anomalyId, kind, detail, handled, notes) and cursor while there are more.'), '400': problem('Invalid query: every offending field in `errors`.'), ...refusals('read') },
  },
  [`GET ${ORG}/anomalies/export`]: {
    operationId: 'consoleExportAnomalies',
    summary: 'The anomalies of a window (and kind, state) as CSV, with the last note and who wrote it',
    tags,
    path: inPath(),
    query: consoleAnomalyQuerySchema,
    headers: bearer,
    responses: { '200': csv('One line per anomaly.'), '400': problem('Invalid query, or more than 10,000 anomalies in the window.'), ...refusals('read') },
  },
  [`GET ${ORG}/anomalies/{anomalyId}`]: {
    operationId: 'consoleGetAnomaly',
    summary: 'One anomaly with its receipt\u2019s payer and PSP and every note on it',
    tags,
    path: anomalyPath,
    headers: bearer,
    responses: { '200': anyObject('The anomaly.'), '404': problem('No such anomaly of this organization.'), ...refusals('read') },
  },
  [`POST ${ORG}/anomalies/{anomalyId}/notes`]: {
    operationId: 'consoleNoteAnomaly',
    summary: 'Add a note to an anomaly, closing it (handled: true) or leaving or reopening it (false); the note records the operator and the time',
    tags,
    path: anomalyPath,
    headers: bearer,
    body: { schema: anomalyNoteSchema },
    responses: { '200': anyObject('The anomaly with its notes.'), '400': problem('An empty or too long note, or handled missing.'), '404': problem('No such anomaly of this organization.'), ...refusals('write') },
  },
  [`GET ${ORG}/io/templates`]: {
    operationId: 'consoleListIoTemplates',
    summary: 'The App IO message template in use for each kind (the organization\u2019s own or the default), its placeholders, when and by whom it was saved',
    tags,
    path: inPath(),
    headers: bearer,
    responses: { '200': anyObject('items: one per kind (new-notice, reminder, receipt, cancellation).'), ...refusals('read') },
  },
  [`POST ${ORG}/io/templates/{kind}/preview`]: {
    operationId: 'consolePreviewIoTemplate',
    summary: 'Validate a template as saving would and render it for an example notice; nothing is saved',
    tags,
    path: templatePath,
    headers: bearer,
    body: { schema: MessageTemplateSchema },
    responses: { '200': anyObject('ok with lengths and example {subject, markdown}, or ok false with errors (field, code, message).'), '404': problem('No such kind.'), ...refusals('read') },
  },
  [`PUT ${ORG}/io/templates/{kind}`]: {
    operationId: 'consoleSaveIoTemplate',
    summary: 'Save the organization\u2019s template of a kind (as PUT /organizations/{organizationFiscalCode}/io/templates/{kind}), recording the operator',
    tags,
    path: templatePath,
    headers: bearer,
    body: { schema: MessageTemplateSchema },
    responses: { '200': anyObject('The saved template and the lengths it can render.'), '400': problem('It could break IO\u2019s limits, or uses a placeholder its kind does not have: every reason in `errors`.'), '404': problem('No such kind.'), ...refusals('admin') },
  },
  [`GET ${ORG}/webhooks`]: {
    operationId: 'consoleListWebhooks',
    summary: 'The organization\u2019s webhook subscribers (never their secrets) and the event types one can subscribe to',
    tags,
    path: inPath(),
    headers: bearer,
    responses: { '200': anyObject('items: the subscribers; eventTypes.'), ...refusals('read') },
  },
  [`POST ${ORG}/webhooks`]: {
    operationId: 'consoleRegisterWebhook',
    summary: 'Register a subscriber (as POST /organizations/{organizationFiscalCode}/webhooks): its signing secret is in this answer only',
    tags,
    path: inPath(),
    headers: bearer,
    body: { schema: registerWebhookSchema },
    responses: { '201': anyObject('The subscriber and its secret.'), '400': problem('Invalid url or event types: every offending field in `errors`.'), '409': problem('The organization has 20 subscribers already.'), ...refusals('admin') },
  },
  [`DELETE ${ORG}/webhooks/{webhookId}`]: {
    operationId: 'consoleRemoveWebhook',
    summary: 'Remove a subscriber: nothing more is delivered to it',
    tags,
    path: webhookPath,
    headers: bearer,
    responses: { '204': { description: 'Removed.' }, '404': problem('No such subscriber.'), ...refusals('admin') },
  },
  [`GET ${ORG}/webhooks/{webhookId}/deliveries`]: {
    operationId: 'consoleListWebhookDeliveries',
    summary: 'The deliveries to a subscriber, newest first: status, attempts, last answer, redelivery',
    tags,
    path: webhookPath,
    query: listDeliveriesQuerySchema,
    headers: bearer,
    responses: { '200': anyObject('items and cursor while there are more.'), '400': problem('Invalid query.'), '404': problem('No such subscriber.'), ...refusals('read') },
  },
  [`POST ${ORG}/webhooks/{webhookId}/deliveries/{eventId}/redeliver`]: {
    operationId: 'consoleRedeliverWebhook',
    summary: 'Deliver again an event that failed for good (FAILED, or DEAD_LETTERED after every retry): the same body is queued, signed anew, retried as any delivery',
    tags,
    path: inPath({ webhookId: z.string().meta({ description: 'The subscriber\u2019s id.' }), eventId: z.string().meta({ description: 'The event\u2019s id (the X-Webhook-Id it was sent with).' }) }),
    headers: bearer,
    responses: {
      '202': anyObject('The delivery, RETRYING, with who asked.'),
      '404': problem('No such subscriber, or no delivery of that event to it.'),
      '409': problem('Delivered, or still being retried; or recorded before the layer kept the bodies it sent (redrive the DLQ instead).'),
      ...refusals('write'),
    },
  },
  [`GET ${ORG}/deadletters`]: {
    operationId: 'consoleListDeadLetters',
    summary: 'Every dead-letter queue of the deployment: its depth (every tenant\u2019s messages, a count) and, among the first 100 looked at, the organization\u2019s own messages',
    tags,
    path: inPath(),
    headers: bearer,
    responses: { '200': anyObject('items: queue, depth, messages (id, sent, receives, body), partial.'), ...refusals('admin') },
  },
  [`POST ${ORG}/deadletters/{queue}/{messageId}/redrive`]: {
    operationId: 'consoleRedriveDeadLetter',
    summary: 'Send one of the organization\u2019s parked messages back to its queue (once its cause is fixed); the whole queue is redriven by the deployment operator (admin CLI)',
    tags,
    path: inPath({ queue: z.string().meta({ description: 'The catalog\u2019s queue id, e.g. receipts.' }), messageId: z.string().meta({ description: 'The SQS message id.' }) }),
    headers: bearer,
    responses: { '202': anyObject('Redriven.'), '404': problem('No such queue, or no such message of this organization in its DLQ.'), ...refusals('admin') },
  },
  [`GET ${ORG}/apikeys`]: {
    operationId: 'consoleListApiKeys',
    summary: 'The organization\u2019s API keys (id, label, issued and revoked when and by whom; never the key), active first',
    tags,
    path: inPath(),
    headers: bearer,
    responses: { '200': anyObject('items: the keys.'), ...refusals('admin') },
  },
  [`POST ${ORG}/apikeys`]: {
    operationId: 'consoleIssueApiKey',
    summary: 'Issue a new API key for the organization\u2019s back office: the key is in this answer only (the layer keeps its hash)',
    tags,
    path: inPath(),
    headers: bearer,
    body: { schema: apiKeyRequestSchema },
    responses: { '201': anyObject('keyId, label, createdAt, issuedBy and apiKey (shown once).'), '400': problem('No label, or too long.'), ...refusals('admin') },
  },
  [`POST ${ORG}/apikeys/{keyId}/revoke`]: {
    operationId: 'consoleRevokeApiKey',
    summary: 'Revoke a key: requests with it are refused from then on (warm functions may accept it for up to API_KEY_CACHE_SECONDS); revoking again changes nothing',
    tags,
    path: inPath({ keyId: z.string().meta({ description: 'The key id (12 hex characters), as the list gives it.' }) }),
    headers: bearer,
    responses: { '200': anyObject('The key as revoked.'), '404': problem('No such key of this organization.'), ...refusals('admin') },
  },
  // the back office's reconciliation reads, the same schemas, with the operator's token
  ...Object.fromEntries(
    Object.entries(RECONCILIATION_READ_DOCS).map(([p, doc]) => [
      `GET ${ORG}${p}`,
      { ...doc, operationId: `console${doc.operationId.charAt(0).toUpperCase()}${doc.operationId.slice(1)}`, tags, path: inPath(doc.path), headers: bearer, responses: { ...doc.responses, ...refusals('read') } },
    ]),
  ),
});
