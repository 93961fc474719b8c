/**
 * Telling citizens on App IO (or by e-mail when IO is not possible) that they have a notice to
 * pay, that a payment arrived, that a notice was cancelled, or that a due date is near.
 *
 * Exactly once per (organization, iupd, notice number, kind):
 *   1. the message record is CLAIMED with a conditional write before IO is called: a new key, a
 *      key released for retry, or a claim whose lease ran out (a crashed attempt) can be claimed;
 *      a live claim or a final record (sent, failed, skipped) cannot. Two concurrent attempts
 *      (duplicate SQS deliveries, a duplicate event) therefore never both call IO.
 *   2. the outcome is written only by the claim's owner (condition on its claim id): SENT with
 *      the IO message id, FAILED (IO refused it for good: 400, ...), SKIPPED (nobody to tell),
 *      or the claim is RELEASED for a retry (429, 5xx, timeout) so the next delivery sends it.
 * What remains: IO answering 201 and the Lambda dying before step 2 is written; after the lease
 * the message is sent again. The IO services API offers no idempotency key to close that window.
 */
import type { DebtPosition } from '../../domain/debt-position';
import { redactFiscalCodes, type NewMessage } from '../../domain/app-io/io-api';
import {
  asksToPay,
  chooseService,
  composeMessage,
  keyText,
  markdownToPlainText,
  messageableOptions,
  reasonNotToSend,
  reminderKind,
  type DispatchKind,
  type MessageKey,
} from '../../domain/app-io/messages';
import type { TenantMessageTemplates } from '../../domain/app-io/templates';
import { DEFAULT_IO_RATE_PER_SECOND, type Organization } from '../../domain/organization';
import type { DebtPositionStore, OrganizationStore } from '../ports';
import type {
  AppIoClient,
  AppIoFailure,
  AppIoLog,
  EmailMessage,
  EmailSender,
  MessageOutcome,
  MessageRecordStore,
  NoticePdfSource,
  RateLimiter,
  ServiceApiKeys,
  TemplateStore,
} from './ports';

/** What a citizen is to be told about one position (the edge maps the io-messages queue to it). */
export type CitizenMessageRequest =
  /** the position was published: a new notice to pay, per option to pay */
  | { readonly about: 'new-notice'; readonly organizationFiscalCode: string; readonly iupd: string }
  /** the position was invalidated: the notices sent for it are cancelled */
  | { readonly about: 'cancellation'; readonly organizationFiscalCode: string; readonly iupd: string }
  /** a receipt paid option `nav` with `paidAmount` cents */
  | { readonly about: 'payment-received'; readonly organizationFiscalCode: string; readonly iupd: string; readonly nav: string; readonly paidAmount: number }
  /** option `nav` is due in `daysLeft` days: the reminder of threshold `days` */
  | {
      readonly about: 'reminder';
      readonly organizationFiscalCode: string;
      readonly iupd: string;
      readonly nav: string;
      readonly days: number;
      readonly daysLeft: number;
    };

export interface SendMessageDeps {
  readonly positions: Pick<DebtPositionStore, 'get'>;
  readonly organizations: Pick<OrganizationStore, 'get'>;
  readonly records: MessageRecordStore;
  readonly templates: Pick<TemplateStore, 'get'>;
  readonly io: AppIoClient;
  readonly apiKeyOf: ServiceApiKeys;
  readonly rateLimiter: RateLimiter;
  readonly email?: EmailSender;
  readonly noticePdf?: NoticePdfSource;
  readonly clock: () => Date;
  readonly newId: () => string;
  /** how long a claim is held: longer than one attempt can take (the function's timeout) */
  readonly leaseMs: number;
  /** the citizen's counter: messages link to the position's page there */
  readonly counterUrl?: string;
  readonly log: AppIoLog;
}

// ---- planning -----------------------------------------------------------------------------

export interface Planned {
  readonly key: MessageKey;
  readonly daysLeft?: number;
  readonly paidAmount?: number;
}

/** The messages a request asks for, given the position as it is now. */
export function planMessages(request: CitizenMessageRequest, position: DebtPosition, organization: Organization): Planned[] {
  const base = { organizationFiscalCode: request.organizationFiscalCode, iupd: request.iupd };
  switch (request.about) {
    case 'new-notice':
      return messageableOptions(position).map((o) => ({ key: { ...base, nav: o.nav, kind: 'new-notice' as DispatchKind } }));
    case 'cancellation':
      if (organization.io?.notifyCancellation !== true) return [];
      // the options a new-notice could have been sent for: every option of the position; the
      // sender skips those no new-notice was sent for
      return position.paymentOptions.map((o) => ({ key: { ...base, nav: o.nav, kind: 'cancellation' as DispatchKind } }));
    case 'payment-received':
      return [{ key: { ...base, nav: request.nav, kind: 'payment-received' }, paidAmount: request.paidAmount }];
    case 'reminder':
      return [{ key: { ...base, nav: request.nav, kind: reminderKind(request.days) }, daysLeft: request.daysLeft }];
  }
}

// ---- sending ------------------------------------------------------------------------------

export type MessageResult =
  | { readonly key: MessageKey; readonly result: 'sent'; readonly channel: 'io' | 'email' }
  | { readonly key: MessageKey; readonly result: 'failed' | 'skipped' | 'already-done'; readonly detail?: string }
  | { readonly key: MessageKey; readonly result: 'retry'; readonly detail: string; readonly retryAfterMs?: number };

export interface SendResult {
  readonly messages: readonly MessageResult[];
  /** some message must be tried again: give the queue message back */
  readonly retry: boolean;
  /** the longest wait any of them asked for */
  readonly retryAfterMs?: number;
}

/** Plans the messages of one request and sends each at most once. */
export async function sendCitizenMessages(deps: SendMessageDeps, request: CitizenMessageRequest): Promise<SendResult> {
  const [organization, position] = await Promise.all([
    deps.organizations.get(request.organizationFiscalCode),
    deps.positions.get(request.organizationFiscalCode, request.iupd),
  ]);
  if (!organization || !position) return { messages: [], retry: false };
  const planned = planMessages(request, position, organization);
  if (planned.length === 0) return { messages: [], retry: false };
  const templates = await mergedTemplates(deps, organization);
  const messages: MessageResult[] = [];
  // one at a time: the messages of one position share a citizen and a service budget
  for (const p of planned) messages.push(await sendOne(deps, p, position, organization, templates));
  const retries = messages.filter((m): m is Extract<MessageResult, { result: 'retry' }> => m.result === 'retry');
  const waits = retries.map((r) => r.retryAfterMs ?? 0);
  return { messages, retry: retries.length > 0, ...(retries.length > 0 ? { retryAfterMs: Math.max(...waits) } : {}) };
}

async function mergedTemplates(deps: SendMessageDeps, organization: Organization): Promise<TenantMessageTemplates> {
  const saved = await deps.templates.get(organization.fiscalCode);
  return { ...(organization.io?.templates ?? {}), ...saved };
}

async function sendOne(
  deps: SendMessageDeps,
  planned: Planned,
  position: DebtPosition,
  organization: Organization,
  templates: TenantMessageTemplates,
): Promise<MessageResult> {
  const { key } = planned;
  const now = deps.clock();
  // checked before claiming, so nothing is recorded for a message that was never due
  const notNow = reasonNotToSend(key.kind, position, key.nav, now);
  if (notNow !== undefined) return { key, result: 'skipped', detail: notNow };
  if (key.kind === 'cancellation') {
    const notice = await deps.records.get({ ...key, kind: 'new-notice' });
    if (notice?.state !== 'sent') return { key, result: 'skipped', detail: 'no new-notice message was sent for it' };
  }

  const claimId = deps.newId();
  const claim = await deps.records.claim(key, claimId, now.getTime(), deps.leaseMs);
  if (claim.kind === 'final') return { key, result: 'already-done', detail: claim.record.state };
  if (claim.kind === 'busy') {
    return { key, result: 'retry', detail: 'another attempt holds the claim', retryAfterMs: Math.max(0, claim.leaseUntil - now.getTime()) };
  }

  try {
    return await attempt(deps, planned, position, organization, templates, claimId);
  } catch (error) {
    // an unexpected failure (DynamoDB, a bug): give the claim back so a later delivery tries again
    await deps.records.release(key, claimId, `unexpected: ${(error as Error).name}`, deps.clock().getTime()).catch(() => false);
    throw error;
  }
}

async function attempt(
  deps: SendMessageDeps,
  planned: Planned,
  position: DebtPosition,
  organization: Organization,
  templates: TenantMessageTemplates,
  claimId: string,
): Promise<MessageResult> {
  const { key } = planned;
  const finish = async (outcome: MessageOutcome): Promise<void> => {
    const kept = await deps.records.finish(key, claimId, outcome, deps.clock().getTime());
    if (!kept) deps.log.error('io message claim lost before its outcome was written', { key: keyText(key), state: outcome.state });
  };
  const retry = async (detail: string, failure?: AppIoFailure): Promise<MessageResult> => {
    await deps.records.release(key, claimId, detail, deps.clock().getTime(), failure?.status);
    const retryAfterMs = failure?.kind === 'retryable' ? failure.retryAfterMs : undefined;
    return { key, result: 'retry', detail, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  };

  const composed = composeMessage({
    kind: key.kind,
    position,
    nav: key.nav,
    organization,
    templates,
    ...(planned.daysLeft === undefined ? {} : { daysLeft: planned.daysLeft }),
    ...(planned.paidAmount === undefined ? {} : { paidAmount: planned.paidAmount }),
    ...(deps.counterUrl ? { counterUrl: deps.counterUrl } : {}),
  });
  if (!composed.ok) {
    await finish({ state: 'failed', detail: `message not valid for IO: ${composed.reason}` });
    return { key, result: 'failed', detail: composed.reason };
  }

  const option = position.paymentOptions.find((o) => o.nav === key.nav);
  const service = chooseService(organization.io, option);
  let fallbackWhy = 'the organization has no App IO service';
  if (service) {
    const rate = service.ratePerSecond ?? DEFAULT_IO_RATE_PER_SECOND;
    let apiKey: string;
    try {
      apiKey = await deps.apiKeyOf(organization, service);
    } catch (error) {
      return retry(`the API key of service ${service.serviceId} is not available: ${(error as Error).name}`);
    }
    if (!(await deps.rateLimiter.acquire(organization.fiscalCode, service.serviceId, rate, 1))) {
      return retry('rate limit: no budget for the profile call');
    }
    const profile = await deps.io.getProfile(apiKey, position.debtor.fiscalCode);
    if (profile.kind === 'retryable') return retry(`profile: ${profile.reason} (${profile.status})`, profile);
    if (profile.kind === 'permanent') {
      if (profile.status === 401) return retry('profile: 401, the service key is refused', profile);
      await finish({ state: 'failed', serviceId: service.serviceId, httpStatus: profile.status, detail: `profile refused: ${problemText(profile)}` });
      return { key, result: 'failed', detail: `profile ${profile.status}` };
    }
    if (profile.kind === 'found' && profile.senderAllowed) {
      if (!(await deps.rateLimiter.acquire(organization.fiscalCode, service.serviceId, rate, 1))) {
        return retry('rate limit: no budget for the message call');
      }
      const submitted = await deps.io.submitMessage(apiKey, composed.message as NewMessage);
      if (submitted.kind === 'created') {
        await finish({ state: 'sent', channel: 'io', serviceId: service.serviceId, ioMessageId: submitted.id, httpStatus: 201 });
        deps.log.info('io message sent', { key: keyText(key), serviceId: service.serviceId, ioMessageId: submitted.id });
        return { key, result: 'sent', channel: 'io' };
      }
      if (submitted.kind === 'retryable') return retry(`message: ${submitted.reason} (${submitted.status})`, submitted);
      if (submitted.status === 401) return retry('message: 401, the service key is refused', submitted);
      if (submitted.status !== 403) {
        await finish({ state: 'failed', channel: 'io', serviceId: service.serviceId, httpStatus: submitted.status, detail: problemText(submitted) });
        deps.log.error('io message refused', { key: keyText(key), status: submitted.status, detail: problemText(submitted) });
        return { key, result: 'failed', detail: `message ${submitted.status}` };
      }
      fallbackWhy = 'IO refused the message (403: the citizen does not allow this service)';
    } else {
      fallbackWhy = profile.kind === 'not-found' ? 'the citizen is not on App IO' : 'the citizen does not allow messages from this service';
    }
  }

  // IO is not possible: e-mail, when the tenant allows it and the position has an address
  const email = position.debtor.email;
  if (organization.io?.emailFallback === false || !email || !deps.email) {
    const why = !email ? 'no e-mail address' : !deps.email ? 'no e-mail transport' : 'e-mail fallback disabled';
    await finish({ state: 'skipped', ...(service ? { serviceId: service.serviceId } : {}), detail: `${fallbackWhy}; ${why}` });
    return { key, result: 'skipped', detail: fallbackWhy };
  }
  let attachments: EmailMessage['attachments'] = [];
  let attachmentNote = '';
  if (asksToPay(key.kind)) {
    const pdf = await safePdf(deps, position, organization);
    if (pdf) attachments = [{ fileName: pdf.fileName, contentType: 'application/pdf', bytes: pdf.bytes }];
    else attachmentNote = '; no notice PDF attached (none available)';
  }
  const text = attachments.length > 0 || !asksToPay(key.kind)
    ? markdownToPlainText(composed.markdown)
    : `${markdownToPlainText(composed.markdown)}\n\nIl documento dell'avviso non è allegato: puoi pagare con il codice avviso indicato sopra.`;
  let emailId: string;
  try {
    emailId = await deps.email.send({ to: email, subject: composed.subject, text, attachments });
  } catch (error) {
    return retry(`e-mail: ${(error as Error).name}`);
  }
  await finish({ state: 'sent', channel: 'email', ...(service ? { serviceId: service.serviceId } : {}), detail: `${fallbackWhy}; e-mail ${emailId}${attachmentNote}` });
  deps.log.info('notice sent by e-mail instead of IO', { key: keyText(key), attachments: attachments.length });
  return { key, result: 'sent', channel: 'email' };
}

async function safePdf(deps: SendMessageDeps, position: DebtPosition, organization: Organization) {
  if (!deps.noticePdf) return undefined;
  try {
    return await deps.noticePdf(position, organization);
  } catch (error) {
    deps.log.warn('notice PDF not available for the e-mail', { iupd: position.iupd, reason: (error as Error).message });
    return undefined;
  }
}

function problemText(failure: Extract<AppIoFailure, { kind: 'permanent' }>): string {
  const p = failure.problem;
  return redactFiscalCodes([p.title, p.detail].filter(Boolean).join(': ')).slice(0, 500);
}
