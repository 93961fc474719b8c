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
 * the message is sent again. IO offers no idempotency key to close that window (facts §5).
 */
import type { NewMessage } from '../domain/io-message';
import { redactFiscalCodes } from '../domain/io-message';
import type { DebtPosition } from '../domain/debt-position';
import type { IoService, Organization } from '../domain/organization';
import { DEFAULT_IO_RATE_PER_SECOND } from '../domain/organization';
import type { MessageKind, TenantMessageTemplates } from '../domain/message-templates';
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
} from '../domain/io-dispatch';
import type { AppIoClient, AppIoFailure } from '../adapters/app-io-client';
import type { IoQueueMessage, ReminderRequest } from '../../events/io-message-request';
import { firstDueWindow, reminderRequests } from '../domain/reminders';
import type { DebtPositionStore, OrganizationStore } from './ports';

// ---- ports --------------------------------------------------------------------------------

export type RecordState = 'claimed' | 'retry' | 'sent' | 'failed' | 'skipped';

export interface MessageRecord extends MessageKey {
  readonly state: RecordState;
  readonly attempts: number;
  readonly claimId?: string;
  /** epoch ms until which a claim is held */
  readonly leaseUntil?: number;
  readonly channel?: 'io' | 'email';
  readonly serviceId?: string;
  readonly ioMessageId?: string;
  /** why it failed or was skipped, or the last retryable failure (no personal data) */
  readonly detail?: string;
  readonly httpStatus?: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly sentAt?: string;
}

export type ClaimResult =
  | { readonly kind: 'claimed'; readonly attempt: number }
  /** a final record exists: nothing to do */
  | { readonly kind: 'final'; readonly record: MessageRecord }
  /** another attempt holds a live lease: come back after it */
  | { readonly kind: 'busy'; readonly leaseUntil: number };

export interface MessageOutcome {
  readonly state: 'sent' | 'failed' | 'skipped';
  readonly channel?: 'io' | 'email';
  readonly serviceId?: string;
  readonly ioMessageId?: string;
  readonly detail?: string;
  readonly httpStatus?: number;
}

export interface MessageRecordStore {
  claim(key: MessageKey, claimId: string, nowMs: number, leaseMs: number): Promise<ClaimResult>;
  /** false when the claim was lost (lease expired and taken over) */
  finish(key: MessageKey, claimId: string, outcome: MessageOutcome, nowMs: number): Promise<boolean>;
  release(key: MessageKey, claimId: string, detail: string, nowMs: number, httpStatus?: number): Promise<boolean>;
  get(key: MessageKey): Promise<MessageRecord | undefined>;
  ofPosition(organizationFiscalCode: string, iupd: string): Promise<MessageRecord[]>;
}

export interface TemplateStore {
  /** the templates saved over the API */
  get(organizationFiscalCode: string): Promise<TenantMessageTemplates>;
  put(organizationFiscalCode: string, kind: MessageKind, template: { subject: string; markdown: string }, at: string): Promise<void>;
}

export interface RateLimiter {
  /** waits for `count` calls of the service's budget; false when none came within maxWaitMs */
  acquire(organizationFiscalCode: string, serviceId: string, ratePerSecond: number, count: number): Promise<boolean>;
}

export interface EmailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly attachments: ReadonlyArray<{ readonly fileName: string; readonly contentType: string; readonly bytes: Uint8Array }>;
}

export interface EmailSender {
  /** resolves with the transport's message id; throws on failure (retried) */
  send(message: EmailMessage): Promise<string>;
}

/** The notice PDF of a position, or undefined when none can be had (then nothing is attached). */
export type NoticePdfSource = (position: DebtPosition, organization: Organization) => Promise<{ bytes: Uint8Array; fileName: string } | undefined>;

export interface Log {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

export interface CitizenMessageDeps {
  readonly positions: Pick<DebtPositionStore, 'get'>;
  readonly organizations: Pick<OrganizationStore, 'get'>;
  readonly records: MessageRecordStore;
  readonly templates: Pick<TemplateStore, 'get'>;
  readonly io: AppIoClient;
  /** the subscription key of a service (Secrets Manager on AWS, the seed locally) */
  readonly apiKeyOf: (organization: Organization, service: IoService) => Promise<string>;
  readonly rateLimiter: RateLimiter;
  readonly email?: EmailSender;
  readonly noticePdf?: NoticePdfSource;
  readonly clock: () => Date;
  readonly newId: () => string;
  /** how long a claim is held: longer than one attempt can take (the function's timeout) */
  readonly leaseMs: number;
  readonly log: Log;
}

// ---- planning -----------------------------------------------------------------------------

export interface Planned {
  readonly key: MessageKey;
  readonly daysLeft?: number;
  readonly paidAmount?: number;
}

/** The messages a queue message asks for, given the position as it is now. */
export function planMessages(request: IoQueueMessage, position: DebtPosition, organization: Organization): Planned[] {
  const base = { organizationFiscalCode: request.organizationFiscalCode, iupd: request.iupd };
  switch (request.eventType) {
    case 'debt-position.published':
      return messageableOptions(position).map((o) => ({ key: { ...base, nav: o.nav, kind: 'new-notice' as DispatchKind } }));
    case 'debt-position.invalidated':
      if (organization.io?.notifyCancellation !== true) return [];
      // the options a new-notice could have been sent for: every option of the position; the
      // sender skips those no new-notice was sent for
      return position.paymentOptions.map((o) => ({ key: { ...base, nav: o.nav, kind: 'cancellation' as DispatchKind } }));
    case 'payment.received':
      return [{ key: { ...base, nav: request.nav, kind: 'payment-received' }, paidAmount: request.amount }];
    case 'io.reminder':
      return [{ key: { ...base, nav: request.nav, kind: reminderKind(request.days) }, daysLeft: request.daysLeft }];
    default:
      return [];
  }
}

// ---- sending ------------------------------------------------------------------------------

export type MessageResult =
  | { readonly key: MessageKey; readonly result: 'sent'; readonly channel: 'io' | 'email' }
  | { readonly key: MessageKey; readonly result: 'failed' | 'skipped' | 'already-done'; readonly detail?: string }
  | { readonly key: MessageKey; readonly result: 'retry'; readonly detail: string; readonly retryAfterMs?: number };

export interface RequestResult {
  readonly messages: readonly MessageResult[];
  /** some message must be tried again: give the queue message back */
  readonly retry: boolean;
  /** the longest wait any of them asked for */
  readonly retryAfterMs?: number;
}

/** Handles one queue message: plans its messages and sends each at most once. */
export async function handleIoRequest(deps: CitizenMessageDeps, request: IoQueueMessage): Promise<RequestResult> {
  if (request.eventType !== 'debt-position.published' && request.eventType !== 'debt-position.invalidated' && request.eventType !== 'payment.received' && request.eventType !== 'io.reminder') {
    return { messages: [], retry: false };
  }
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

async function mergedTemplates(deps: CitizenMessageDeps, organization: Organization): Promise<TenantMessageTemplates> {
  const saved = await deps.templates.get(organization.fiscalCode);
  return { ...(organization.io?.templates ?? {}), ...saved };
}

async function sendOne(
  deps: CitizenMessageDeps,
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
  deps: CitizenMessageDeps,
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

async function safePdf(deps: CitizenMessageDeps, position: DebtPosition, organization: Organization) {
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

// ---- reminders ---------------------------------------------------------------------------

export interface ReminderDeps {
  readonly organizations: Pick<OrganizationStore, 'list'>;
  /** a tenant's positions in a status with a first due date in [from, to], page by page */
  readonly positionsDue: (organizationFiscalCode: string, status: 'VALID' | 'PARTIALLY_PAID', from: string, to: string) => AsyncIterable<DebtPosition[]>;
  readonly records: Pick<MessageRecordStore, 'get'>;
  /** enqueues reminder requests on io-messages; returns the ids NOT accepted */
  readonly enqueue: (requests: readonly ReminderRequest[]) => Promise<string[]>;
  readonly clock: () => Date;
}

export interface ReminderRunSummary {
  readonly organizations: number;
  readonly positionsRead: number;
  readonly enqueued: number;
  readonly alreadyDone: number;
  readonly notAccepted: number;
}

/**
 * The daily run: for each tenant with IO settings, the unpaid options whose days-left falls in
 * one of its reminder thresholds (default [7, 1]) get an `io.reminder` request, unless the
 * record of that reminder is final already. Payability and the option's status are checked
 * again by the sender right before sending.
 */
export async function enqueueDueReminders(deps: ReminderDeps): Promise<ReminderRunSummary> {
  const now = deps.clock();
  let organizations = 0;
  let positionsRead = 0;
  let enqueued = 0;
  let alreadyDone = 0;
  let notAccepted = 0;
  for (const organization of await deps.organizations.list()) {
    if (!organization.io || organization.status !== 'ACTIVE') continue;
    organizations++;
    const days = organization.io.reminderDays;
    const window = firstDueWindow(days, now);
    for (const status of ['VALID', 'PARTIALLY_PAID'] as const) {
      for await (const page of deps.positionsDue(organization.fiscalCode, status, window.from, window.to)) {
        positionsRead += page.length;
        const wanted: ReminderRequest[] = [];
        for (const position of page) {
          for (const request of reminderRequests(position, days, now)) {
            const record = await deps.records.get({ organizationFiscalCode: request.organizationFiscalCode, iupd: request.iupd, nav: request.nav, kind: reminderKind(request.days) });
            if (record && record.state !== 'retry' && record.state !== 'claimed') alreadyDone++;
            else wanted.push(request);
          }
        }
        if (wanted.length === 0) continue;
        const failed = await deps.enqueue(wanted);
        enqueued += wanted.length - failed.length;
        notAccepted += failed.length;
      }
    }
  }
  return { organizations, positionsRead, enqueued, alreadyDone, notAccepted };
}
