/**
 * The console API (`/console-api/...`), one Lambda for every route (console-api), dispatching on
 * the API Gateway route key like reconciliation-queries. It is a new edge over the SAME use cases
 * as the back-office REST API (positions, notices): the same schemas, the same validation messages
 * (ProblemJson with `errors` per field), the same audit trail; only the caller differs: an operator
 * with a bearer token (shared/http/operator-auth.ts) instead of a tenant API key. Every route
 * states the permission it needs; the API enforces it (403), whatever the page shows.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { POSITION_STATUSES } from '../domain/debt-position';
import { romeCalendarDay, romeDayStart } from '../domain/dates';
import type { Organization } from '../domain/organization';
import { createDebtPosition } from '../use-cases/debt-positions/create';
import { updateDebtPosition } from '../use-cases/debt-positions/update';
import { listDebtPositions } from '../use-cases/debt-positions/list';
import type { CreatePositionDeps } from '../use-cases/debt-positions/ports';
import { getByNoticeNumber, getDebtPosition } from '../use-cases/debt-positions/queries';
import { invalidateDebtPosition, publishDebtPosition } from '../use-cases/debt-positions/transitions';
import { getNoticePdf } from '../use-cases/notices/serve-notice';
import { PDF_CONTENT_TYPE, type NoticeDeps } from '../use-cases/notices/stored-notices';
import { positionAuditTrail } from '../use-cases/operators/audit-trail';
import { positionsDashboard } from '../use-cases/operators/dashboard';
import { positionsOfDebtor, positionsOfDebtorName, type DebtorNameSearchDeps, type DebtorSearchDeps } from '../use-cases/operators/debtor-search';
import type { Permission } from '../use-cases/operators/roles';
import type { ApiKeyRecord, OrganizationStore } from '../use-cases/ports';
import { generateApiKey } from '../domain/api-keys';
import { MAX_KEY_LABEL_CHARS, issueApiKey, listApiKeys, revokeApiKey } from '../use-cases/organizations/credentials';
import { actedBy } from '../use-cases/operators/audit-trail';
import type { ReceiptStore } from '../use-cases/receipts/ports';
import { exportWindow, listReceiptAnomalies, listReceipts, noteAnomaly } from '../use-cases/receipts/queries';
import { paymentsDashboard } from '../use-cases/operators/payments-dashboard';
import type { QueryDeps } from '../use-cases/reconciliation/queries';
import { MessageTemplateSchema } from '../domain/app-io/templates';
import type { MessageRecord, MessageRecordStore } from '../use-cases/app-io/ports';
import { NotPayableError, markOptionPaid, type MarkPaidDeps } from '../use-cases/debt-positions/mark-paid';
import { paidDateOf } from './gpd-operation-mapping';
import { alreadyPaidSchema } from './gpd-operation-schemas';
import type { DeliveryRecord, PositionDeliveries } from '../use-cases/webhooks/ports';
import { noticeArchive, type ArchiveDeps } from '../use-cases/notices/archives';
import { archivesJson, noticeArchiveQuerySchema } from './notice-schemas';
import { batchState } from '../domain/notice/batch';
import type { Upload } from '../use-cases/bulk-upload/ports';
import { deadLettersOfOrganization, redriveOrganizationMessage, type OrganizationDeadLettersDeps } from '../use-cases/dead-letters/organization-dead-letters';
import { WEBHOOK_EVENT_TYPES } from '../../events/webhook-delivery';
import { deliveriesOfPosition, listDeliveries, listSubscribers, redeliver, registerSubscriber, removeSubscriber, type RedeliveryDeps, type SubscriberDeps } from '../use-cases/webhooks/subscribers';
import { listDeliveriesQuerySchema, registerWebhookSchema, registeredSubscriberBody, toDeliveriesQuery, toRegisterSubscriber } from './webhook-schemas';
import type { TemplateStore } from '../use-cases/app-io/ports';
import { previewTemplate, saveTemplate, templatesInUse } from '../use-cases/app-io/templates';
import { reconciliationReadRoutes } from './reconciliation-edge';
import { toAnomalyFilter } from './receipt-schemas';
import { anomaliesCsv, anomalyJson, anomalyNoteSchema, consoleAnomalyQuerySchema, consoleReceiptQuerySchema, parseAnomalyId, receiptJson, receiptsCsv, toReceiptWindow } from './console-receipts';
import { UseCaseError } from '../use-cases/errors';
import { listQuerySchema, toListQuery } from './debt-position-list';
import { positionRuleProblems, requireSameIupd, toPositionContent, toPositionResponse } from './debt-position-mapping';
import { createQuerySchema, iupd as iupdSchema, paymentPositionSchema } from './debt-position-schemas';
import { MAX_INLINE_FILE_BYTES, readMultipart, uploadProblem } from './gpd-upload-edge';
import { govpayResultFile } from './gpd-upload-rows';
import { announceUploadSchema, toUploadReport, toUploadStatus } from './gpd-upload-schemas';
import { HttpProblem, notFound } from './problem';
import { MAX_PRESIGNED_BYTES, announceUpload, cancelUpload, findUpload, listUploads, receiveUpload, uploadReport, uploadResultFile, type UploadDeps } from '../use-cases/bulk-upload/uploads';
import type { UploadOperation } from '../use-cases/bulk-upload/ports';
import type { ConsoleAuthorizer, OperatorCaller, OperatorVerifier } from './operator-auth';
import { json, parseWith, publicRoute, type HttpRequest, type HttpResult } from './rest-edge';

export interface ConsoleEdgeDeps extends CreatePositionDeps, DebtorSearchDeps, DebtorNameSearchDeps, MarkPaidDeps {
  /** the App IO messages and e-mails sent for a position, on its detail */
  readonly messages: Pick<MessageRecordStore, 'ofPosition' | 'countSince'>;
  /** bulk uploads of tax lists (the GPD massive-upload use cases, with the operator as the actor) */
  readonly bulk: UploadDeps;
  readonly logger: Logger;
  /** the deployment's dead-letter queues: depths, and this organization's messages */
  readonly deadLetters: OrganizationDeadLettersDeps;
  /** webhook subscribers, their deliveries, and redelivery */
  readonly webhooks: SubscriberDeps & RedeliveryDeps;
  /** the deliveries of the events about one position (its detail) */
  readonly positionDeliveries: PositionDeliveries;
  /** the notice batch of a completed upload (its screen) */
  /** an upload's notices as ZIP archives (the REST archive route's use case and deps) */
  readonly archives: ArchiveDeps;
  /** the tenant's App IO message templates */
  readonly templates: TemplateStore;
  /** reporting flows, treasury movements, open items (the reconciliation reads) */
  readonly reconciliation: QueryDeps;
  /** the tenants, and their API keys (the admin's screen) */
  readonly organizations: OrganizationStore;
  readonly notices: NoticeDeps;
  /** receipts and anomalies: a position's on its detail, the lists, the exports, the notes, the dashboard's figures */
  readonly receipts: Pick<ReceiptStore, 'receiptsOf' | 'list' | 'listAnomalies' | 'getAnomaly' | 'countOpenAnomalies' | 'addAnomalyNote'>;
  /** verifies the bearer token alone (GET /console-api/me) */
  readonly verify: OperatorVerifier;
  /** verifies it and checks the organization and the permission (every other route) */
  readonly authorize: ConsoleAuthorizer;
}

export const CONSOLE_API_BASE = '/console-api';
const ORG = `${CONSOLE_API_BASE}/organizations/{organizationFiscalCode}`;

/** The routes served, by API Gateway route key (the catalog's console-api triggers), with the permission each needs. */
export const CONSOLE_ROUTES = {
  [`GET ${CONSOLE_API_BASE}/me`]: 'signed-in',
  [`GET ${ORG}/dashboard`]: 'read',
  [`GET ${ORG}/debtpositions`]: 'read',
  [`POST ${ORG}/debtpositions`]: 'write',
  [`GET ${ORG}/debtpositions/{iupd}`]: 'read',
  [`PUT ${ORG}/debtpositions/{iupd}`]: 'write',
  [`POST ${ORG}/debtpositions/{iupd}/publish`]: 'write',
  [`POST ${ORG}/debtpositions/{iupd}/invalidate`]: 'write',
  [`GET ${ORG}/debtpositions/{iupd}/notice`]: 'read',
  [`POST ${ORG}/paymentoptions/{nav}/paid`]: 'write',
  [`GET ${ORG}/uploads`]: 'read',
  [`POST ${ORG}/uploads`]: 'write',
  [`POST ${ORG}/uploads/presigned`]: 'write',
  [`GET ${ORG}/uploads/{fileId}`]: 'read',
  [`GET ${ORG}/uploads/{fileId}/result`]: 'read',
  [`POST ${ORG}/uploads/{fileId}/cancel`]: 'write',
  [`GET ${ORG}/notices/batches/{batchId}/archive`]: 'read',
  [`GET ${ORG}/receipts`]: 'read',
  [`GET ${ORG}/receipts/export`]: 'read',
  [`GET ${ORG}/anomalies`]: 'read',
  [`GET ${ORG}/anomalies/export`]: 'read',
  [`GET ${ORG}/anomalies/{anomalyId}`]: 'read',
  [`POST ${ORG}/anomalies/{anomalyId}/notes`]: 'write',
  [`GET ${ORG}/reportingflows`]: 'read',
  [`GET ${ORG}/reportingflows/{flowId}`]: 'read',
  [`GET ${ORG}/reconciliation`]: 'read',
  [`GET ${ORG}/reconciliation/anomalies`]: 'read',
  [`GET ${ORG}/reconciliation/export`]: 'read',
  [`GET ${ORG}/treasury/movements`]: 'read',
  [`GET ${ORG}/io/templates`]: 'read',
  [`POST ${ORG}/io/templates/{kind}/preview`]: 'read',
  [`PUT ${ORG}/io/templates/{kind}`]: 'admin',
  [`GET ${ORG}/webhooks`]: 'read',
  [`POST ${ORG}/webhooks`]: 'admin',
  [`DELETE ${ORG}/webhooks/{webhookId}`]: 'admin',
  [`GET ${ORG}/webhooks/{webhookId}/deliveries`]: 'read',
  [`POST ${ORG}/webhooks/{webhookId}/deliveries/{eventId}/redeliver`]: 'write',
  [`GET ${ORG}/deadletters`]: 'admin',
  [`POST ${ORG}/deadletters/{queue}/{messageId}/redrive`]: 'admin',
  [`GET ${ORG}/apikeys`]: 'admin',
  [`POST ${ORG}/apikeys`]: 'admin',
  [`POST ${ORG}/apikeys/{keyId}/revoke`]: 'admin',
} as const satisfies Record<string, Permission | 'signed-in'>;
export type ConsoleRouteKey = keyof typeof CONSOLE_ROUTES;

/**
 * The console's search: GPD's page, limit and status; or one position by its iupd or by a
 * notice number (18 digits, or the 17-digit IUV); or a debtor's positions (newest first, a page at
 * a time with `cursor`). One of iupd, notice_number, debtor at most.
 */
export const consoleSearchQuerySchema = z
  .strictObject({
    page: z.string().optional(),
    limit: z.string().optional(),
    status: z.enum(POSITION_STATUSES).optional(),
    due_date_from: z.string().optional().meta({ description: 'As GPD\u2019s list: positions with an option due on this day (yyyy-MM-dd) or later.' }),
    due_date_to: z.string().optional().meta({ description: 'As GPD\u2019s list: positions with an option due on this day or earlier.' }),
    iupd: iupdSchema.optional().meta({ description: 'Only the position with this IUPD.' }),
    notice_number: z.string().regex(/^\d{17,18}$/, 'must be a notice number of 18 digits (or an IUV of 17)').optional().meta({ description: 'Only the position with this notice number (NAV) or IUV.' }),
    debtor: z
      .string()
      .regex(/^([A-Za-z0-9]{16}|\d{11}|ANONIMO)$/i, 'must be a codice fiscale (16 characters), a partita IVA (11 digits) or ANONIMO')
      .optional()
      .meta({ description: 'Only the positions of the debtor with this fiscal code, newest first.' }),
    debtor_name: z
      .string()
      .max(70, 'must be at most 70 characters, as a debtor\u2019s fullName')
      .optional()
      .meta({
        description:
          'The positions whose debtor\u2019s name starts so, in any word order ("rossi m" finds "Mario Rossi" and "ROSSI MARIA"), ignoring case, accents and punctuation; at least 2 letters or digits. Ordered by name; the next page by cursor.',
      }),
    cursor: z.string().max(512).optional().meta({ description: 'With debtor or debtor_name: the cursor of the previous page.' }),
  })
  .refine((q) => [q.iupd, q.notice_number, q.debtor, q.debtor_name].filter((v) => v !== undefined).length <= 1, { message: 'give one of iupd, notice_number, debtor, debtor_name', path: ['debtor'] })
  .refine((q) => q.cursor === undefined || q.debtor !== undefined || q.debtor_name !== undefined, { message: 'only with debtor or debtor_name', path: ['cursor'] })
  .refine((q) => q.status === undefined || (q.debtor === undefined && q.debtor_name === undefined), { message: 'cannot be combined with debtor or debtor_name', path: ['status'] })
  .refine((q) => (q.due_date_from === undefined && q.due_date_to === undefined) || [q.iupd, q.notice_number, q.debtor, q.debtor_name].every((v) => v === undefined), {
    message: 'only with the list (not with iupd, notice_number, debtor or debtor_name)',
    path: ['due_date_from'],
  });

type Authorized = HttpRequest & { readonly caller: OperatorCaller };
type Run = (r: Authorized) => Promise<HttpResult>;

const ofcOf = (r: Authorized) => r.caller.organization.fiscalCode;
const brokerOf = (r: Authorized) => r.caller.organization.brokerId;
const fileIdOf = (r: HttpRequest) => r.pathParameters['fileId'] ?? '';
const UPLOAD_OPERATIONS: Record<string, UploadOperation> = { CREATE: 'CREATE', UPDATE: 'UPDATE', DELETE: 'DELETE' };
/** the console's list of uploads: the last 30 days (GPD's files list allows a window of at most 30 days) */
const UPLOADS_WINDOW_MS = 30 * 86_400_000;

/** The upload use cases' refusals as the ProblemJson the GPD upload routes answer. */
async function asUploadProblem<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw uploadProblem(error) ?? error;
  }
}
const iupdOf = (r: HttpRequest) => r.pathParameters['iupd'] ?? '';

function organizationJson(o: Organization) {
  return { fiscalCode: o.fiscalCode, name: o.name, status: o.status, ibans: [...o.ibans] };
}

function routes(deps: ConsoleEdgeDeps): Record<Exclude<ConsoleRouteKey, `GET ${typeof CONSOLE_API_BASE}/me`>, Run> {
  // the back office's reconciliation reads, the same functions, the operator's organization
  const recon = reconciliationReadRoutes(deps.reconciliation);
  return {
    [`GET ${ORG}/reportingflows`]: recon['/reportingflows'],
    [`GET ${ORG}/reportingflows/{flowId}`]: recon['/reportingflows/{flowId}'],
    [`GET ${ORG}/reconciliation`]: recon['/reconciliation'],
    [`GET ${ORG}/reconciliation/anomalies`]: recon['/reconciliation/anomalies'],
    [`GET ${ORG}/reconciliation/export`]: recon['/reconciliation/export'],
    [`GET ${ORG}/treasury/movements`]: recon['/treasury/movements'],
    [`GET ${ORG}/dashboard`]: async (r) => {
      const to = deps.clock();
      const [d, payments, uploads, messagesToday] = await Promise.all([
        positionsDashboard(deps, ofcOf(r)),
        paymentsDashboard(deps, ofcOf(r)),
        asUploadProblem(() => listUploads(deps.bulk, r.caller.organization, brokerOf(r), { from: new Date(to.getTime() - UPLOADS_WINDOW_MS).toISOString(), to: to.toISOString(), limit: 3 })),
        deps.messages.countSince(ofcOf(r), romeDayStart(romeCalendarDay(to.toISOString()))),
      ]);
      return json(200, {
        organization: organizationJson(r.caller.organization),
        total: d.total,
        byStatus: d.byStatus,
        complete: d.complete && payments.complete,
        recent: d.recent.map(toPositionResponse),
        payments: { today: payments.today, month: payments.month },
        openAnomalies: payments.openAnomalies,
        uploads: uploads.uploads.map((u) => consoleUpload(u)),
        messagesToday,
      });
    },
    [`GET ${ORG}/debtpositions`]: async (r) => {
      const q = parseWith(consoleSearchQuerySchema, r.query, 'query');
      const listQuery = toListQuery(
        parseWith(
          listQuerySchema,
          {
            ...(q.page ? { page: q.page } : {}),
            ...(q.limit ? { limit: q.limit } : {}),
            ...(q.status ? { status: q.status } : {}),
            ...(q.due_date_from ? { due_date_from: q.due_date_from } : {}),
            ...(q.due_date_to ? { due_date_to: q.due_date_to } : {}),
          },
          'query',
        ),
      );
      if (q.iupd !== undefined || q.notice_number !== undefined) {
        const found = await one(() =>
          q.iupd !== undefined ? getDebtPosition(deps, ofcOf(r), q.iupd) : getByNoticeNumber(deps, ofcOf(r), q.notice_number!).then((x) => x.position),
        );
        const items = found && (q.status === undefined || found.status === q.status) ? [found] : [];
        return json(200, { items: items.map(toPositionResponse), page: 0, limit: listQuery.limit, total: items.length, totalPages: items.length });
      }
      if (q.debtor !== undefined) {
        const found = await positionsOfDebtor(deps, ofcOf(r), { fiscalCode: q.debtor, limit: listQuery.limit, ...(q.cursor ? { cursor: q.cursor } : {}) });
        return json(200, { items: found.items.map(toPositionResponse), limit: listQuery.limit, ...(found.cursor ? { cursor: found.cursor } : {}) });
      }
      if (q.debtor_name !== undefined) {
        const found = await positionsOfDebtorName(deps, ofcOf(r), { name: q.debtor_name, limit: listQuery.limit, ...(q.cursor ? { cursor: q.cursor } : {}) });
        return json(200, { items: found.items.map(toPositionResponse), limit: listQuery.limit, ...(found.cursor ? { cursor: found.cursor } : {}) });
      }
      const result = await listDebtPositions(deps, ofcOf(r), listQuery);
      if (result.kind === 'busy') {
        throw new HttpProblem(503, 'Service Unavailable', 'the page index of this list is being rebuilt; retry', undefined, { 'retry-after': String(result.retryAfterSeconds) });
      }
      return json(200, {
        items: result.items.map(toPositionResponse),
        page: listQuery.page,
        limit: listQuery.limit,
        total: result.total,
        totalPages: Math.ceil(result.total / listQuery.limit),
      });
    },
    [`POST ${ORG}/debtpositions`]: async (r) => {
      // exactly what POST /organizations/{ofc}/debtpositions does (functions/create-debt-position)
      const { organization, actor } = r.caller;
      const query = parseWith(createQuerySchema, r.query, 'query');
      const rules = positionRuleProblems({ organization, now: deps.clock(), requireFutureDueDates: true });
      const body = parseWith(paymentPositionSchema, r.body, 'debt position', rules);
      const position = await createDebtPosition(deps, { organization, actor, iupd: body.iupd, content: toPositionContent(body), toPublish: query.toPublish ?? false });
      return json(201, toPositionResponse(position));
    },
    [`GET ${ORG}/debtpositions/{iupd}`]: async (r) => {
      const position = await getDebtPosition(deps, ofcOf(r), iupdOf(r));
      const [audit, messages, receipts, webhookDeliveries] = await Promise.all([
        positionAuditTrail(deps, ofcOf(r), position.iupd),
        deps.messages.ofPosition(ofcOf(r), position.iupd),
        // every receipt of its notices (one per option, up to GPD's 100): the applied ones and the KO outcomes, oldest first
        Promise.all(position.paymentOptions.map((o) => (o.iuv ? deps.receipts.receiptsOf(ofcOf(r), o.iuv) : Promise.resolve([])))).then((lists) => lists.flat()),
        // the webhook deliveries of the events about it, to every subscriber of the tenant: the latest 50
        deliveriesOfPosition({ subscribers: deps.webhooks.subscribers, positionDeliveries: deps.positionDeliveries }, ofcOf(r), position.iupd),
      ]);
      return json(200, {
        position: toPositionResponse(position),
        audit,
        receipts: receipts.map(receiptJson),
        messages: messages.map(messageJson),
        webhookDeliveries: { ...webhookDeliveries, items: webhookDeliveries.items.map(deliveryJson) },
      });
    },
    [`PUT ${ORG}/debtpositions/{iupd}`]: async (r) => {
      // exactly what PUT /organizations/{ofc}/debtpositions/{iupd} does (functions/update-debt-position)
      const query = parseWith(createQuerySchema, r.query, 'query');
      const rules = positionRuleProblems({ organization: r.caller.organization, now: deps.clock(), requireFutureDueDates: true });
      const body = parseWith(paymentPositionSchema, r.body, 'debt position', rules);
      requireSameIupd(iupdOf(r), body);
      const position = await updateDebtPosition(deps, { organization: r.caller.organization, actor: r.caller.actor, iupd: iupdOf(r), content: toPositionContent(body), toPublish: query.toPublish ?? false });
      return json(200, toPositionResponse(position));
    },
    [`POST ${ORG}/debtpositions/{iupd}/publish`]: async (r) =>
      json(200, toPositionResponse(await publishDebtPosition(deps, { organizationFiscalCode: ofcOf(r), actor: r.caller.actor, iupd: iupdOf(r) }))),
    [`POST ${ORG}/debtpositions/{iupd}/invalidate`]: async (r) =>
      json(200, toPositionResponse(await invalidateDebtPosition(deps, { organizationFiscalCode: ofcOf(r), actor: r.caller.actor, iupd: iupdOf(r) }))),
    // GPD's setPaymentOptionAsAlreadyPaid: paid at the counter, by bank transfer, in cash
    [`POST ${ORG}/paymentoptions/{nav}/paid`]: async (r) => {
      const body = parseWith(alreadyPaidSchema, r.body ?? {}, 'body');
      const paid = await markOptionPaid(deps, { organizationFiscalCode: ofcOf(r), actor: r.caller.actor, nav: r.pathParameters['nav'] ?? '', paymentDate: paidDateOf(body) }).catch((error: unknown) => {
        throw error instanceof NotPayableError ? new HttpProblem(422, 'Unprocessable Entity', error.message) : error;
      });
      return json(200, toPositionResponse(paid.position));
    },
    [`GET ${ORG}/debtpositions/{iupd}/notice`]: async (r) => {
      const notice = await getNoticePdf(deps.notices, r.caller.organization, iupdOf(r));
      return {
        status: 200,
        bytes: notice.bytes,
        headers: { 'content-type': PDF_CONTENT_TYPE, 'content-disposition': `attachment; filename="${notice.fileName}"`, 'content-length': String(notice.bytes.length) },
      };
    },
    [`GET ${ORG}/uploads`]: (r) =>
      asUploadProblem(async () => {
        const to = deps.clock();
        const found = await listUploads(deps.bulk, r.caller.organization, brokerOf(r), { from: new Date(to.getTime() - UPLOADS_WINDOW_MS).toISOString(), to: to.toISOString(), limit: 50 });
        return json(200, { items: found.uploads.map((u) => consoleUpload(u)) });
      }),
    // the same file a GPD client posts to …/debtpositions/file (multipart, part `file`: a ZIP or GovPay's CSV)
    [`POST ${ORG}/uploads`]: (r) =>
      asUploadProblem(async () => {
        const { file, fields } = await readMultipart(r.headers['content-type'], r.rawBody);
        const operation = UPLOAD_OPERATIONS[(fields['operation'] ?? 'CREATE').toUpperCase()];
        if (!operation) throw new HttpProblem(400, 'Bad Request', 'invalid operation', [{ field: 'operation', message: 'must be CREATE, UPDATE or DELETE' }]);
        const upload = await receiveUpload(deps.bulk, {
          organization: r.caller.organization,
          actor: r.caller.actor,
          brokerCode: brokerOf(r),
          operation,
          fileName: file.fileName,
          bytes: file.bytes,
          contentType: file.contentType,
          ...(fields['toPublish'] === 'false' ? { toPublish: false } : {}),
          ...(fields['ioSendAt'] ? { ioSendAt: fields['ioSendAt'] } : {}),
        });
        return json(202, consoleUpload(upload));
      }),
    // a file over the inline limit: the presigned upload of POST …/debtpositions/file/uploads (the same
    // announcement schema, limits and refusals), the operator as the actor. The browser PUTs the file
    // to the URL (S3, CORS for the console's origin); S3's "Object Created" starts the same processing.
    [`POST ${ORG}/uploads/presigned`]: (r) =>
      asUploadProblem(async () => {
        const body = parseWith(announceUploadSchema, r.body, 'body');
        const contentType = body.contentType ?? (body.fileName.toLowerCase().endsWith('.csv') ? 'text/csv' : 'application/zip');
        const { upload, uploadUrl, expiresAt } = await announceUpload(deps.bulk, {
          organization: r.caller.organization,
          actor: r.caller.actor,
          brokerCode: brokerOf(r),
          operation: body.operation ?? 'CREATE',
          fileName: body.fileName,
          size: body.size,
          contentType,
          ...(body.toPublish === false ? { toPublish: false } : {}),
          ...(body.ioSendAt !== undefined ? { ioSendAt: body.ioSendAt } : {}),
        });
        return json(201, {
          fileId: upload.fileId,
          uploadUrl,
          method: 'PUT',
          headers: { 'content-type': contentType, 'content-length': String(body.size) },
          expiresAt,
          maxBytes: MAX_PRESIGNED_BYTES,
          upload: consoleUpload(upload),
        });
      }),
    // the status, and once ended GPD's report (every refused row with its line, iupd and reasons)
    [`GET ${ORG}/uploads/{fileId}`]: (r) =>
      asUploadProblem(async () => {
        const upload = await findUpload(deps.bulk, r.caller.organization, brokerOf(r), fileIdOf(r));
        const status = consoleUpload(upload);
        if (status.operationStatus === 'IN_PROGRESS') return json(200, { status });
        const [report, noticeBatch] = await Promise.all([
          uploadReport(deps.bulk, r.caller.organization, brokerOf(r), upload.fileId),
          upload.noticeBatchId ? noticeBatchSummary(deps, ofcOf(r), upload.noticeBatchId) : undefined,
        ]);
        return json(200, { status, report: await toUploadReport(report.upload, report.outcomes, false), ...(noticeBatch ? { noticeBatch } : {}) });
      }),
    [`GET ${ORG}/uploads/{fileId}/result`]: (r) =>
      asUploadProblem(async (): Promise<HttpResult> => {
        const file = await uploadResultFile(deps.bulk, r.caller.organization, brokerOf(r), fileIdOf(r), govpayResultFile);
        return file.kind === 'inline'
          ? { status: 200, bytes: Buffer.from(file.bytes), headers: { 'content-type': file.contentType, 'content-disposition': `attachment; filename="${file.fileName}"` } }
          : { status: 303, headers: { location: file.url, 'cache-control': 'no-store' } };
      }),
    // an upload's notices as a ZIP (part n of 5,000): the REST archive route's use case, a 303 to the stored archive
    [`GET ${ORG}/notices/batches/{batchId}/archive`]: async (r) => {
      const { part } = parseWith(noticeArchiveQuerySchema, r.query, 'query');
      const archive = await noticeArchive(deps.archives, r.caller.organization.fiscalCode, r.pathParameters['batchId'] ?? '', part);
      return { status: 303, headers: { location: archive.url, 'cache-control': 'no-store' } };
    },
    [`POST ${ORG}/uploads/{fileId}/cancel`]: (r) =>
      asUploadProblem(async () => {
        const cancelled = await cancelUpload(deps.bulk, r.caller.organization, brokerOf(r), fileIdOf(r));
        return json(200, consoleUpload(cancelled));
      }),
    [`GET ${ORG}/receipts`]: async (r) => {
      const q = parseWith(consoleReceiptQuerySchema, r.query, 'query');
      const page = await listReceipts(deps, ofcOf(r), { ...toReceiptWindow(q), limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}) });
      return json(200, { items: page.items.map(receiptJson), ...(page.cursor ? { cursor: page.cursor } : {}) });
    },
    [`GET ${ORG}/receipts/export`]: async (r) => {
      const q = parseWith(consoleReceiptQuerySchema, r.query, 'query');
      const rows = await exportWindow((w) => listReceipts(deps, ofcOf(r), w), toReceiptWindow(q));
      return csvAttachment(receiptsCsv(rows), `ricevute-${ofcOf(r)}${q.from ? `-dal-${q.from}` : ''}${q.to ? `-al-${q.to}` : ''}.csv`);
    },
    [`GET ${ORG}/anomalies`]: async (r) => {
      const q = parseWith(consoleAnomalyQuerySchema, r.query, 'query');
      const page = await listReceiptAnomalies(deps, ofcOf(r), { ...toReceiptWindow(q), limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}) }, toAnomalyFilter(q));
      return json(200, { items: page.items.map(anomalyJson), ...(page.cursor ? { cursor: page.cursor } : {}) });
    },
    [`GET ${ORG}/anomalies/export`]: async (r) => {
      const q = parseWith(consoleAnomalyQuerySchema, r.query, 'query');
      const rows = await exportWindow((w) => listReceiptAnomalies(deps, ofcOf(r), w, toAnomalyFilter(q)), toReceiptWindow(q));
      return csvAttachment(anomaliesCsv(rows), `anomalie-${ofcOf(r)}${q.from ? `-dal-${q.from}` : ''}${q.to ? `-al-${q.to}` : ''}.csv`);
    },
    [`GET ${ORG}/anomalies/{anomalyId}`]: async (r) => {
      const ref = parseAnomalyId(r.pathParameters['anomalyId'] ?? '');
      const found = ref ? await deps.receipts.getAnomaly(ofcOf(r), ref) : undefined;
      if (!found) throw notFound('no such anomaly');
      return json(200, anomalyJson(found));
    },
    [`POST ${ORG}/anomalies/{anomalyId}/notes`]: async (r) => {
      const body = parseWith(anomalyNoteSchema, r.body, 'note');
      const ref = parseAnomalyId(r.pathParameters['anomalyId'] ?? '');
      if (!ref) throw notFound('no such anomaly');
      const updated = await noteAnomaly(deps, { organizationFiscalCode: ofcOf(r), actor: r.caller.actor, anomaly: ref, text: body.note, handled: body.handled });
      return json(200, anomalyJson(updated));
    },
    [`GET ${ORG}/io/templates`]: async (r) => {
      const inUse = await templatesInUse(deps, r.caller.organization);
      return json(200, { items: inUse.map((t) => ({ ...t, ...(t.changed ? { changed: { at: t.changed.at, ...(t.changed.by ? { by: actedBy(t.changed.by) } : {}) } } : {}) })) });
    },
    // the same validation as saving, and the message it renders for an example notice; nothing is saved
    [`POST ${ORG}/io/templates/{kind}/preview`]: async (r) =>
      json(200, previewTemplate(r.caller.organization, r.pathParameters['kind'] ?? '', parseWith(MessageTemplateSchema, r.body, 'template'), deps.clock())),
    [`PUT ${ORG}/io/templates/{kind}`]: async (r) =>
      json(200, await saveTemplate(deps, r.caller.organization, r.pathParameters['kind'] ?? '', parseWith(MessageTemplateSchema, r.body, 'template'), r.caller.actor)),
    [`GET ${ORG}/webhooks`]: async (r) => json(200, { items: await listSubscribers(deps.webhooks, ofcOf(r)), eventTypes: WEBHOOK_EVENT_TYPES }),
    // the same registration as POST /organizations/{ofc}/webhooks: the signing secret in this answer only
    [`POST ${ORG}/webhooks`]: async (r) => {
      const body = parseWith(registerWebhookSchema, r.body, 'webhook subscriber');
      const { subscriber, secret } = await registerSubscriber(deps.webhooks, toRegisterSubscriber(ofcOf(r), body));
      return json(201, registeredSubscriberBody(subscriber, secret));
    },
    [`DELETE ${ORG}/webhooks/{webhookId}`]: async (r) => {
      await removeSubscriber(deps.webhooks, { organizationFiscalCode: ofcOf(r), subscriberId: webhookIdOf(r) });
      return { status: 204 };
    },
    [`GET ${ORG}/webhooks/{webhookId}/deliveries`]: async (r) => {
      const query = parseWith(listDeliveriesQuerySchema, r.query, 'query');
      const page = await listDeliveries(deps.webhooks, toDeliveriesQuery(ofcOf(r), webhookIdOf(r), query));
      return json(200, { items: page.items.map(deliveryJson), ...(page.cursor ? { cursor: page.cursor } : {}) });
    },
    [`POST ${ORG}/webhooks/{webhookId}/deliveries/{eventId}/redeliver`]: async (r) =>
      json(202, deliveryJson(await redeliver(deps.webhooks, { organizationFiscalCode: ofcOf(r), subscriberId: webhookIdOf(r), eventId: r.pathParameters['eventId'] ?? '', actor: r.caller.actor }))),
    [`GET ${ORG}/deadletters`]: async (r) => json(200, { items: await deadLettersOfOrganization(deps.deadLetters, ofcOf(r)) }),
    [`POST ${ORG}/deadletters/{queue}/{messageId}/redrive`]: async (r) => {
      const queue = r.pathParameters['queue'] ?? '';
      const messageId = r.pathParameters['messageId'] ?? '';
      await redriveOrganizationMessage(deps.deadLetters, ofcOf(r), queue, messageId);
      // the operator's subject is on every log line of the request (no name, no e-mail)
      deps.logger.info('dead letter redriven from the console', { queue, messageId });
      return json(202, { queue, messageId, redriven: true });
    },
    [`GET ${ORG}/apikeys`]: async (r) => json(200, { items: (await listApiKeys(deps.organizations, ofcOf(r))).map(apiKeyJson) }),
    // the key itself is in this answer only: the layer keeps its hash
    [`POST ${ORG}/apikeys`]: async (r) => {
      const body = parseWith(apiKeyRequestSchema, r.body, 'api key');
      const key = generateApiKey();
      const record = await issueApiKey(deps.organizations, ofcOf(r), key, body.label, deps.clock(), r.caller.actor);
      return json(201, { ...apiKeyJson(record), apiKey: key }); // every answer is cache-control: no-store (SECURITY_HEADERS)
    },
    [`POST ${ORG}/apikeys/{keyId}/revoke`]: async (r) => json(200, apiKeyJson(await revokeApiKey(deps.organizations, ofcOf(r), r.pathParameters['keyId'] ?? '', deps.clock(), r.caller.actor))),
  };
}

const webhookIdOf = (r: HttpRequest) => r.pathParameters['webhookId'] ?? '';

/** An upload as the console shows it: GPD's status, the file's name, and how far its paced App IO release has booked the tenant's budget. */
function consoleUpload(u: Upload) {
  const status = toUploadStatus(u, false);
  return {
    ...status,
    fileName: u.fileName,
    ...(status.ioMessages && u.ioReleasedUntil ? { ioMessages: { ...status.ioMessages, releasedUntil: u.ioReleasedUntil } } : {}),
  };
}

/** failed notices of an upload's batch listed at most (the rest are counted) */
const BATCH_FAILURES_SHOWN = 20;

/**
 * The notice batch of a completed upload: counts (one read of the batch item, as the screen polls it
 * every 2 s while it runs), and once it has ended its archives and first failures (the items, read
 * only then and only when some failed: 2,000 chunk items for an upload of 100,000); PREPARING until
 * the batch is recorded (just after the upload ends).
 */
async function noticeBatchSummary(deps: Pick<ConsoleEdgeDeps, 'archives'>, organizationFiscalCode: string, batchId: string) {
  const batches = deps.archives.batches;
  const head = await batches.head(organizationFiscalCode, batchId);
  if (!head) return { batchId, state: 'PREPARING' as const };
  const state = batchState(head);
  const failed = state !== 'RUNNING' && head.failed > 0 ? (await batches.chunkItems(organizationFiscalCode, batchId, 0, head.batch.chunks - 1)).filter((i) => !i.ok) : [];
  const progress = { ...head, state };
  return {
    batchId,
    state: progress.state,
    total: progress.batch.total,
    done: progress.done,
    failed: progress.failed,
    createdAt: progress.batch.createdAt,
    archives: archivesJson(progress.batch, progress.state, (part) => `${CONSOLE_API_BASE}/organizations/${organizationFiscalCode}/notices/batches/${batchId}/archive?part=${part}`),
    failures: failed.slice(0, BATCH_FAILURES_SHOWN).map((i) => ({ iupd: i.iupd, ...(i.reason ? { reason: i.reason } : {}) })),
    ...(failed.length > BATCH_FAILURES_SHOWN ? { failuresOmitted: failed.length - BATCH_FAILURES_SHOWN } : {}),
  };
}

/** A delivery as the console shows it: who asked a redelivery as the console names people. */
function deliveryJson(d: DeliveryRecord) {
  const { redelivery, ...rest } = d;
  return { ...rest, ...(redelivery ? { redelivery: { at: redelivery.at, by: actedBy(redelivery.by) } } : {}) };
}

/** The App IO message or e-mail of a position: which notice, what kind, through which channel, its outcome (no content, no address). */
function messageJson(m: MessageRecord) {
  return {
    nav: m.nav,
    kind: m.kind,
    state: m.state,
    ...(m.channel ? { channel: m.channel } : {}),
    attempts: m.attempts,
    ...(m.detail ? { detail: m.detail } : {}),
    ...(m.httpStatus !== undefined ? { httpStatus: m.httpStatus } : {}),
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    ...(m.sentAt ? { sentAt: m.sentAt } : {}),
  };
}

/** What the console shows of a key: never the key, nor its hash. */
function apiKeyJson(k: ApiKeyRecord) {
  return {
    keyId: k.keyId,
    label: k.label,
    createdAt: k.createdAt,
    ...(k.issuedBy ? { issuedBy: actedBy(k.issuedBy) } : {}),
    ...(k.revokedAt ? { revokedAt: k.revokedAt } : {}),
    ...(k.revokedBy ? { revokedBy: actedBy(k.revokedBy) } : {}),
  };
}

export const apiKeyRequestSchema = z.strictObject({
  label: z.string().trim().min(1, 'must not be empty').max(MAX_KEY_LABEL_CHARS, `must be at most ${MAX_KEY_LABEL_CHARS} characters`).meta({ description: 'What the key is for, e.g. "Gestionale tributi".' }),
});

function csvAttachment(bytes: Buffer, fileName: string): HttpResult {
  return { status: 200, bytes, headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${fileName}"`, 'cache-control': 'no-store' } };
}

/** A single look-up that may find nothing: undefined instead of the use case's 404. */
async function one<T>(find: () => Promise<T>): Promise<T | undefined> {
  try {
    return await find();
  } catch (error) {
    if (error instanceof UseCaseError && error.kind === 'not-found') return undefined;
    throw error;
  }
}

/** One handler for every console route, dispatching on the route key. */
export function consoleApi(deps: ConsoleEdgeDeps) {
  const handlers = new Map<string, ReturnType<typeof publicRoute>>();
  handlers.set(
    `GET ${CONSOLE_API_BASE}/me`,
    publicRoute(deps.logger, async (r) => {
      const operator = await deps.verify(r.headers['authorization']);
      const organizations = await Promise.all(operator.organizations.map((fc) => deps.organizations.get(fc)));
      return json(200, {
        operator: { username: operator.username, name: operator.name, role: operator.role },
        organizations: organizations.filter((o): o is Organization => o !== undefined && o.status === 'ACTIVE').map(organizationJson),
      });
    }),
  );
  for (const [key, run] of Object.entries(routes(deps))) {
    const permission = CONSOLE_ROUTES[key as ConsoleRouteKey] as Permission;
    handlers.set(
      key,
      publicRoute(deps.logger, async (r) => {
        const caller = await deps.authorize(r.headers, r.pathParameters['organizationFiscalCode'] ?? '', r.requestId, permission);
        // the identity provider's opaque subject, not the username (often a person's name or e-mail): no personal data in logs
        deps.logger.appendKeys({ organization: caller.organization.fiscalCode, operator: caller.operator.subject });
        return run({ ...r, caller });
      }, key === `POST ${ORG}/uploads` ? { rawBody: true, maxBodyBytes: MAX_INLINE_FILE_BYTES + 64 * 1024 } : {}),
    );
  }
  const unknown = publicRoute(deps.logger, async () => {
    throw notFound('no such route');
  });
  return (event: APIGatewayProxyEventV2, context: Context) => (handlers.get(event.routeKey) ?? unknown)(event, context);
}

