/**
 * The App IO ports in memory — the message records with the same claim semantics as the DynamoDB
 * adapter (conditional claim with a lease, outcome only by the claim's owner), an App IO that
 * answers as told — and the Lambda events of the App IO handlers, so the handlers are tested
 * through their `makeHandler` with plain arguments.
 */
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { MessageKey } from '../../../shared/domain/app-io/messages';
import { keyText } from '../../../shared/domain/app-io/messages';
import type { DebtPosition } from '../../../shared/domain/debt-position';
import type { Organization } from '../../../shared/domain/organization';
import type { SendMessageDeps } from '../../../shared/use-cases/app-io/send-message';
import type {
  AppIoClient,
  ClaimResult,
  EmailMessage,
  GetProfileResult,
  MessageOutcome,
  MessageRecord,
  MessageRecordStore,
  SubmitMessageResult,
} from '../../../shared/use-cases/app-io/ports';

/**
 * The handler modules compose their root when imported (as a Lambda cold start does): give it
 * the settings it reads. Nothing is sent anywhere: the tests call `makeHandler` with fakes.
 */
export function setHandlerSettings(): void {
  process.env['TABLE_NAME_MAIN'] ??= 'unit-test-table';
  process.env['QUEUE_URL_IO_MESSAGES'] ??= 'http://sqs.invalid/000000000000/io-messages';
  process.env['EMAIL_TRANSPORT'] ??= 'none';
}

export const context = {
  awsRequestId: 'aws-request-1',
  functionName: 'unit-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-south-1:000000000000:function:unit-test',
  memoryLimitInMB: '256',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

let messages = 0;

export function sqsRecord(body: unknown, receiveCount = 1): SQSRecord {
  messages++;
  return {
    messageId: `message-${messages}`,
    receiptHandle: `handle-${messages}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-south-1:000000000000:io-messages',
    awsRegion: 'eu-south-1',
  };
}

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

/** App IO answering as told (by default: on IO, sender allowed, message created), counting the calls. */
export function fakeAppIo(io: { profile?: () => Promise<GetProfileResult>; submit?: () => Promise<SubmitMessageResult> } = {}) {
  const calls = { profile: 0, submit: 0 };
  const client: AppIoClient = {
    getProfile: async () => {
      calls.profile++;
      return io.profile ? io.profile() : { kind: 'found', senderAllowed: true, preferredLanguages: ['it_IT'] };
    },
    submitMessage: async () => {
      calls.submit++;
      return io.submit ? io.submit() : { kind: 'created', id: `io-${calls.submit}` };
    },
    getMessageStatus: async () => ({ kind: 'not-found' }),
  };
  return { client, calls };
}

export class MemoryRecords implements MessageRecordStore {
  readonly items = new Map<string, MessageRecord>();
  async claim(key: MessageKey, claimId: string, nowMs: number, leaseMs: number): Promise<ClaimResult> {
    const k = keyText(key);
    const old = this.items.get(k);
    if (old && !(old.state === 'retry' || (old.state === 'claimed' && (old.leaseUntil ?? 0) < nowMs))) {
      return old.state === 'claimed' ? { kind: 'busy', leaseUntil: old.leaseUntil ?? nowMs } : { kind: 'final', record: old };
    }
    const at = new Date(nowMs).toISOString();
    const attempts = (old?.attempts ?? 0) + 1;
    this.items.set(k, { ...key, state: 'claimed', attempts, claimId, leaseUntil: nowMs + leaseMs, createdAt: old?.createdAt ?? at, updatedAt: at });
    return { kind: 'claimed', attempt: attempts };
  }
  async finish(key: MessageKey, claimId: string, outcome: MessageOutcome, nowMs: number) {
    const old = this.items.get(keyText(key));
    if (old?.state !== 'claimed' || old.claimId !== claimId) return false;
    this.items.set(keyText(key), { ...old, ...outcome, updatedAt: new Date(nowMs).toISOString() });
    return true;
  }
  async release(key: MessageKey, claimId: string, detail: string, nowMs: number) {
    const old = this.items.get(keyText(key));
    if (old?.state !== 'claimed' || old.claimId !== claimId) return false;
    this.items.set(keyText(key), { ...old, state: 'retry', detail, updatedAt: new Date(nowMs).toISOString() });
    return true;
  }
  async get(key: MessageKey) {
    return this.items.get(keyText(key));
  }
  async ofPosition(ofc: string, iupd: string) {
    return [...this.items.values()].filter((r) => r.organizationFiscalCode === ofc && r.iupd === iupd);
  }
  async countSince(ofc: string, from: string) {
    const mine = [...this.items.values()].filter((r) => r.organizationFiscalCode === ofc && r.createdAt >= from);
    const n = (f: (r: MessageRecord) => boolean) => mine.filter(f).length;
    return {
      io: n((r) => r.state === 'sent' && r.channel !== 'email'),
      email: n((r) => r.state === 'sent' && r.channel === 'email'),
      skipped: n((r) => r.state === 'skipped'),
      failed: n((r) => r.state === 'failed'),
      pending: n((r) => r.state === 'claimed' || r.state === 'retry'),
    };
  }
}

/**
 * The sender's ports around one position of one organization: message records in memory, App IO
 * as told, an e-mail transport that keeps what it sent, a notice PDF always at hand.
 */
export function sendingSetup(
  io: Parameters<typeof fakeAppIo>[0],
  p: DebtPosition,
  options: { organization: Organization; now: Date },
) {
  const records = new MemoryRecords();
  const { client, calls } = fakeAppIo(io);
  const emails: EmailMessage[] = [];
  let id = 0;
  const deps: SendMessageDeps = {
    positions: { get: async () => p },
    organizations: { get: async () => options.organization },
    records,
    templates: { get: async () => ({}) },
    io: client,
    apiKeyOf: async (_o, s) => s.apiKey ?? '',
    rateLimiter: { acquire: async () => true },
    email: { send: async (m) => (emails.push(m), `mail-${emails.length}`) },
    noticePdf: async () => ({ bytes: new TextEncoder().encode('%PDF-1.4'), fileName: 'avviso.pdf' }),
    clock: () => options.now,
    newId: () => `claim-${++id}`,
    leaseMs: 60_000,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  };
  return { deps, records, calls, emails, p };
}
