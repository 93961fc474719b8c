/**
 * In-memory stand-ins for the ports of the receipts family, and the Lambda events the handlers
 * get, so the handlers are tested through their `makeHandler` with plain arguments.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DebtPosition, PaymentOption } from '../../../shared/domain/debt-position';
import type { Organization } from '../../../shared/domain/organization';
import type { Receipt } from '../../../shared/domain/receipt';
import { createLogger } from '../../../shared/observability/logger';
import type { DebtPositionStore, OutgoingMessage, QueuePublisher } from '../../../shared/use-cases/ports';
import { anomalyKeyOf, type AnomalyFilter, type AnomalyNote, type AnomalyRef, type ApplyConflict, type CreditorDirectory, type ReceiptAnomaly, type ReceiptPage, type ReceiptStore, type ReceiptWindow, type StoredReceipt } from '../../../shared/use-cases/receipts/ports';
import { ESEMPIO } from '../../fixtures/positions';

/**
 * The handler modules compose their root when imported (as a Lambda cold start does): give it the
 * settings it reads. Nothing is sent anywhere: the tests call `makeHandler` with the fakes below.
 */
export function setHandlerSettings(): void {
  process.env['TABLE_NAME_MAIN'] ??= 'unit-test-table';
  process.env['QUEUE_URL_RECEIPTS'] ??= 'http://sqs.invalid/000000000000/receipts';
}

export const logger = createLogger();

export const context = {
  awsRequestId: 'aws-request-1',
  functionName: 'unit-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-south-1:000000000000:function:unit-test',
  memoryLimitInMB: '256',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

export const RECEIPTS_QUEUE = 'http://sqs.invalid/000000000000/receipts';

// ---- ports ----------------------------------------------------------------------------------

export class InMemoryPositions implements Pick<DebtPositionStore, 'findByNoticeNumber'> {
  readonly byIupd = new Map<string, DebtPosition>();
  failWith: Error | undefined;

  constructor(...positions: DebtPosition[]) {
    for (const p of positions) this.put(p);
  }

  put(position: DebtPosition): void {
    this.byIupd.set(position.iupd, position);
  }

  get(iupd: string): DebtPosition | undefined {
    return this.byIupd.get(iupd);
  }

  async findByNoticeNumber(organizationFiscalCode: string, nav: string): Promise<DebtPosition | undefined> {
    if (this.failWith) throw this.failWith;
    return [...this.byIupd.values()].find(
      (p) => p.organizationFiscalCode === organizationFiscalCode && p.paymentOptions.some((o) => o.nav === nav),
    );
  }
}

/** Keeps receipts like the DynamoDB store: one per receipt id, one paid guard per IUV, positions versioned. */
export class InMemoryReceipts implements ReceiptStore {
  readonly stored = new Map<string, StoredReceipt>();
  readonly anomalies = new Map<string, ReceiptAnomaly>();
  readonly paidGuards = new Set<string>();
  readonly events: unknown[] = [];
  /** receipt ids whose applyPayment throws (a store failure) */
  readonly failing = new Set<string>();

  constructor(private readonly positions: InMemoryPositions) {}

  async applyPayment(input: Parameters<ReceiptStore['applyPayment']>[0]): Promise<ApplyConflict | undefined> {
    const { stored, position, expectedVersion, event } = input;
    if (this.failing.has(stored.receiptId)) throw new Error(`the store failed on ${stored.receiptId}`);
    if (this.stored.has(stored.receiptId)) return { conflict: 'duplicate' };
    const guard = `${stored.organizationFiscalCode}#${stored.iuv}`;
    if (this.paidGuards.has(guard)) return { conflict: 'paid' };
    if (this.positions.get(position.iupd)?.version !== expectedVersion) return { conflict: 'version' };
    this.stored.set(stored.receiptId, stored);
    this.paidGuards.add(guard);
    this.positions.put(position);
    this.events.push(event);
    return undefined;
  }

  async recordReceipt(stored: StoredReceipt): Promise<boolean> {
    if (this.stored.has(stored.receiptId)) return false;
    this.stored.set(stored.receiptId, stored);
    return true;
  }

  /** keyed like the DynamoDB store: by receipt id, an UNPROCESSABLE one by its queue message */
  async recordAnomaly(anomaly: ReceiptAnomaly): Promise<boolean> {
    const key = anomalyKeyOf(anomaly);
    if (this.anomalies.has(key)) return false;
    this.anomalies.set(key, anomaly);
    return true;
  }

  async receiptsOf(organizationFiscalCode: string, iuv: string): Promise<StoredReceipt[]> {
    return [...this.stored.values()]
      .filter((r) => r.organizationFiscalCode === organizationFiscalCode && r.iuv === iuv)
      .sort((a, b) => a.recordedAt.localeCompare(b.recordedAt));
  }

  async list(organizationFiscalCode: string, window: ReceiptWindow): Promise<ReceiptPage<StoredReceipt> | undefined> {
    return page([...this.stored.values()].filter((r) => r.organizationFiscalCode === organizationFiscalCode), window);
  }

  async listAnomalies(organizationFiscalCode: string, window: ReceiptWindow, filter: AnomalyFilter = {}): Promise<ReceiptPage<ReceiptAnomaly> | undefined> {
    const handled = (a: ReceiptAnomaly) => a.notes?.at(-1)?.handled === true;
    return page(
      [...this.anomalies.values()].filter(
        (a) =>
          a.organizationFiscalCode === organizationFiscalCode &&
          (filter.kind === undefined || a.kind === filter.kind) &&
          (filter.state === undefined || handled(a) === (filter.state === 'handled')),
      ),
      window,
    );
  }

  async getAnomaly(organizationFiscalCode: string, ref: AnomalyRef): Promise<ReceiptAnomaly | undefined> {
    const found = this.anomalies.get(ref.key);
    return found && found.organizationFiscalCode === organizationFiscalCode && found.iuv === ref.iuv ? found : undefined;
  }

  async countOpenAnomalies(organizationFiscalCode: string): Promise<number> {
    return [...this.anomalies.values()].filter((a) => a.organizationFiscalCode === organizationFiscalCode && a.notes?.at(-1)?.handled !== true).length;
  }

  async addAnomalyNote(organizationFiscalCode: string, ref: AnomalyRef, note: AnomalyNote): Promise<ReceiptAnomaly | undefined> {
    const found = this.anomalies.get(ref.key);
    if (!found || found.organizationFiscalCode !== organizationFiscalCode || found.iuv !== ref.iuv) return undefined;
    const updated = { ...found, notes: [...(found.notes ?? []), note] };
    this.anomalies.set(ref.key, updated);
    return updated;
  }
}

/** Cursors are `at:<index>`; anything else is not one this list handed out. */
function page<T extends { recordedAt: string }>(all: T[], window: ReceiptWindow): ReceiptPage<T> | undefined {
  const inWindow = all
    .filter((r) => (window.from === undefined || r.recordedAt >= window.from) && (window.to === undefined || r.recordedAt <= window.to))
    .sort((a, b) => a.recordedAt.localeCompare(b.recordedAt));
  let start = 0;
  if (window.cursor !== undefined) {
    const match = /^at:(\d+)$/.exec(window.cursor);
    if (!match) return undefined;
    start = Number(match[1]);
  }
  const items = inWindow.slice(start, start + window.limit);
  const next = start + items.length;
  return next < inWindow.length ? { items, cursor: `at:${next}` } : { items };
}

export class InMemoryPublisher implements QueuePublisher {
  readonly sent: Array<{ queueUrl: string; message: OutgoingMessage }> = [];
  refuse = false;

  async send(queueUrl: string, messages: readonly OutgoingMessage[]): Promise<string[]> {
    if (this.refuse) return messages.map((m) => m.id);
    for (const message of messages) this.sent.push({ queueUrl, message });
    return [];
  }

  /** the receipts put on the queue, read back from their message bodies */
  receipts(): Receipt[] {
    return this.sent.map((s) => JSON.parse(s.message.body) as Receipt);
  }
}

export function creditors(...organizations: Organization[]): CreditorDirectory {
  return { get: async (fiscalCode) => organizations.find((o) => o.fiscalCode === fiscalCode) };
}

/** A fixed clock that a test can move. */
export function clockAt(iso: string): { (): Date; set(iso: string): void } {
  let now = new Date(iso);
  const clock = () => new Date(now.getTime());
  clock.set = (next: string) => {
    now = new Date(next);
  };
  return clock;
}

// ---- data -----------------------------------------------------------------------------------

export { ESEMPIO };

/** The receipt the node writes for `o` (paid in full, transfers as the option's). */
export function receiptFor(o: PaymentOption, overrides: Partial<Receipt> = {}): Receipt {
  return {
    receiptId: 'r-1',
    noticeNumber: o.nav,
    fiscalCode: ESEMPIO.fiscalCode,
    outcome: 'OK',
    creditorReferenceId: o.iuv,
    paymentAmount: o.amount,
    description: 'TARI',
    companyName: 'Comune di Esempio',
    debtor: { entityUniqueIdentifierType: 'F', entityUniqueIdentifierValue: 'RCCMNL83S18D969H', fullName: 'Mario Rossi' },
    transferList: o.transfers.map((t) => ({
      idTransfer: Number(t.idTransfer),
      transferAmount: t.amount,
      fiscalCodePA: t.organizationFiscalCode,
      IBAN: t.iban ?? 'IT78L0306909606100000117002',
      remittanceInformation: t.remittanceInformation,
      transferCategory: t.category,
    })),
    idPSP: 'BCITITMM',
    PSPCompanyName: 'Intesa Sanpaolo',
    idChannel: 'ch',
    channelDescription: 'app',
    paymentDateTime: '2026-12-01T11:00:00',
    ...overrides,
  };
}

// ---- Lambda events --------------------------------------------------------------------------

let messageCounter = 0;

export function sqsRecord(body: string, receiveCount = 1): SQSRecord {
  messageCounter++;
  return {
    messageId: `message-${messageCounter}`,
    receiptHandle: `handle-${messageCounter}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '0',
      SenderId: 'x',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-south-1:000000000000:receipts',
    awsRegion: 'eu-south-1',
  };
}

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

export function httpEvent(input: {
  method: string;
  path: string;
  routeKey?: string;
  headers?: Record<string, string>;
  body?: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: input.routeKey ?? `${input.method} ${input.path}`,
    rawPath: input.path,
    rawQueryString: '',
    headers: input.headers ?? {},
    ...(input.body !== undefined ? { body: input.body, isBase64Encoded: false } : { isBase64Encoded: false }),
    ...(input.pathParameters ? { pathParameters: input.pathParameters } : {}),
    ...(input.query ? { queryStringParameters: input.query } : {}),
    requestContext: { requestId: 'request-1', http: { method: input.method, path: input.path } },
  } as unknown as APIGatewayProxyEventV2;
}

export type HttpAnswer = APIGatewayProxyStructuredResultV2 & { json: any };

export async function call(
  handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>,
  event: APIGatewayProxyEventV2,
): Promise<HttpAnswer> {
  const answer = (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
  const text = typeof answer.body === 'string' ? answer.body : '';
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { ...answer, json };
}
