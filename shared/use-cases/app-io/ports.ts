/**
 * What the App IO use cases (sending citizens their messages, reminders, templates) need from
 * the outside world: the IO services API, the message records that make sending exactly-once,
 * the tenants' saved templates, the per-service rate budget, the service keys, the e-mail
 * fallback, the notice PDF, and the positions reminders are due for. Implemented in shared/adapters;
 * tests hand in their own.
 */
import type { Actor } from '../ports';
import type { DebtPosition } from '../../domain/debt-position';
import type { MessageStatus, NewMessage, ProblemJson } from '../../domain/app-io/io-api';
import type { MessageKey } from '../../domain/app-io/messages';
import type { MessageKind, TenantMessageTemplates } from '../../domain/app-io/templates';
import type { IoService, Organization } from '../../domain/organization';

// ---- the App IO services API --------------------------------------------------------------

export type RetryableFailure = {
  readonly kind: 'retryable';
  /** HTTP status, or 0 when no response arrived */
  readonly status: number;
  readonly reason: 'throttled' | 'server-error' | 'timeout' | 'network';
  readonly retryAfterMs?: number;
};

export type PermanentFailure = {
  readonly kind: 'permanent';
  readonly status: number;
  readonly problem: ProblemJson;
};

/**
 * `retryable`: 408, 429, 5xx, a timeout or a network failure (try again later, with the server's
 * Retry-After when it gave one); `permanent`: any other 4xx or an unexpected answer.
 */
export type AppIoFailure = RetryableFailure | PermanentFailure;

export type GetProfileResult =
  | { readonly kind: 'found'; readonly senderAllowed: boolean; readonly preferredLanguages: readonly string[] }
  | { readonly kind: 'not-found' }
  | AppIoFailure;

export type SubmitMessageResult = { readonly kind: 'created'; readonly id: string } | AppIoFailure;

export type GetMessageStatusResult =
  | { readonly kind: 'found'; readonly status: MessageStatus | string }
  | { readonly kind: 'not-found' }
  | AppIoFailure;

/** Every outcome is a typed result, never a thrown error. */
export interface AppIoClient {
  /** `POST /profiles {fiscal_code}`: is the citizen on IO, and may this service write to them? */
  getProfile(apiKey: string, fiscalCode: string): Promise<GetProfileResult>;
  /** `POST /messages`: 201 → the message id. IO has no idempotency key: dedupe before calling. */
  submitMessage(apiKey: string, message: NewMessage): Promise<SubmitMessageResult>;
  /** `GET /messages/{fiscal_code}/{id}`: the processing status of a message this service sent. */
  getMessageStatus(apiKey: string, fiscalCode: string, id: string): Promise<GetMessageStatusResult>;
}

/** The subscription key of an IO service (Secrets Manager on AWS, the seed locally). */
export type ServiceApiKeys = (organization: Organization, service: IoService) => Promise<string>;

/** Named secrets (the service keys on AWS), cached by the adapter. */
export interface SecretSource {
  get(name: string): Promise<string>;
}

export interface RateLimiter {
  /** waits for `count` calls of the service's budget; false when none came within its wait limit */
  acquire(organizationFiscalCode: string, serviceId: string, ratePerSecond: number, count: number): Promise<boolean>;
}

// ---- the message records -------------------------------------------------------------------

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
  /** the tenant's messages first tried at or after `from` (ISO UTC), by outcome */
  countSince(organizationFiscalCode: string, from: string): Promise<MessageCounts>;
}

/** Messages by outcome: delivered to App IO, sent by e-mail instead, not due, failed, still being tried. */
export interface MessageCounts {
  readonly io: number;
  readonly email: number;
  readonly skipped: number;
  readonly failed: number;
  readonly pending: number;
}

// ---- templates --------------------------------------------------------------------------------

export interface TemplateStore {
  /** the templates saved over the API */
  get(organizationFiscalCode: string): Promise<TenantMessageTemplates>;
  put(organizationFiscalCode: string, kind: MessageKind, template: { subject: string; markdown: string }, at: string, by?: Actor): Promise<void>;
  /** when each saved template was last changed, and by whom (an operator, an API key) */
  changes(organizationFiscalCode: string): Promise<Partial<Record<MessageKind, { readonly at: string; readonly by?: Actor }>>>;
}

// ---- the e-mail fallback ------------------------------------------------------------------

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

// ---- reminders ----------------------------------------------------------------------------------

/** A tenant's positions in a status with a first due date in [from, to], page by page. */
export type PositionsDue = (
  organizationFiscalCode: string,
  status: 'VALID' | 'PARTIALLY_PAID',
  from: string,
  to: string,
) => AsyncIterable<DebtPosition[]>;

// ---- logs -------------------------------------------------------------------------------------

export interface AppIoLog {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}
