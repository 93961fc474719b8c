/**
 * The notice ports in memory — the bucket (with injectable failures and a record of the reads)
 * and the notice batch records (a chunk recorded once) — and the Lambda events the notice
 * handlers get, so the handlers are tested through their `makeHandler` with plain arguments.
 */
import type { APIGatewayProxyEventV2, Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { NoticeBatch, NoticeBatchItem } from '../../../shared/domain/notice/batch';
import type { Caller, TenantAuthenticator } from '../../../shared/http/tenant-auth';
import type { ArchiveObjects, NoticeBatchReader, NoticeBatchStore, ObjectStore, StoredObject } from '../../../shared/use-cases/notices/ports';
import { ESEMPIO } from '../../fixtures/positions';

/**
 * The handler modules compose their root when imported (as a Lambda cold start does): give it
 * the settings it reads. Nothing is sent anywhere: the tests call `makeHandler` with fakes.
 */
export function setHandlerSettings(): void {
  process.env['TABLE_NAME_MAIN'] ??= 'unit-test-table';
  process.env['BUCKET_NAME_NOTICES'] ??= 'unit-test-notices';
  process.env['QUEUE_URL_NOTICE_RENDER'] ??= 'http://sqs.invalid/000000000000/notice-render';
  process.env['QUEUE_URL_NOTICE_BATCH'] ??= 'http://sqs.invalid/000000000000/notice-batch';
  process.env['QUEUE_URL_IO_MESSAGES'] ??= 'http://sqs.invalid/000000000000/io-messages';
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
    eventSourceARN: 'arn:aws:sqs:eu-south-1:000000000000:unit-test',
    awsRegion: 'eu-south-1',
  };
}

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

/** SQS ChangeMessageVisibility calls, as (receipt handle, seconds). */
export function visibilityRecorder() {
  const calls: Array<[string, number]> = [];
  return { calls, setVisibility: async (receiptHandle: string, seconds: number) => void calls.push([receiptHandle, seconds]) };
}

/** A tenant route's event (HTTP API, payload 2.0) with the tenant's key. */
export function getEvent(path: string, pathParameters: Record<string, string>): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `GET ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'ocp-apim-subscription-key': 'unit-test-key' },
    pathParameters: { organizationFiscalCode: ESEMPIO.fiscalCode, ...pathParameters },
    isBase64Encoded: false,
    requestContext: { requestId: 'request-1', http: { method: 'GET', path } },
  } as unknown as APIGatewayProxyEventV2;
}

/** Every key is a key of ESEMPIO. */
export const authenticateAsEsempio: TenantAuthenticator = async (_headers, organizationFiscalCode, requestId): Promise<Caller> => {
  if (organizationFiscalCode !== ESEMPIO.fiscalCode) throw new Error('unexpected tenant');
  return { actor: { organizationFiscalCode, keyId: 'key-1', requestId }, organization: ESEMPIO };
};

export class MemoryObjects implements ObjectStore, ArchiveObjects {
  readonly objects = new Map<string, StoredObject>();
  readonly gets: string[] = [];
  failPuts = 0;
  async get(key: string) {
    this.gets.push(key);
    return this.objects.get(key);
  }
  async exists(key: string) {
    return this.objects.has(key);
  }
  async putIfAbsent(key: string, bytes: Uint8Array, options: { contentType: string; metadata?: Record<string, string> }) {
    if (this.failPuts > 0) {
      this.failPuts--;
      throw new Error('S3 is down');
    }
    if (this.objects.has(key)) return 'exists' as const;
    this.objects.set(key, { bytes, contentType: options.contentType, metadata: options.metadata ?? {} });
    return 'stored' as const;
  }
  async deleteMany(keys: readonly string[]) {
    for (const k of keys) this.objects.delete(k);
  }
  async presignGet(key: string, options: { fileName: string; contentType: string; expiresInSeconds: number }) {
    return `https://bucket.example/${key}?name=${encodeURIComponent(options.fileName)}&type=${encodeURIComponent(options.contentType)}&expires=${options.expiresInSeconds}`;
  }
}

export class MemoryBatches implements NoticeBatchStore, NoticeBatchReader {
  readonly batches = new Map<string, { batch: NoticeBatch; chunks: Map<number, readonly NoticeBatchItem[]> }>();
  async create(batch: NoticeBatch) {
    this.batches.set(batch.batchId, { batch, chunks: new Map() });
  }
  async recordChunk(_ofc: string, batchId: string, chunk: number, items: readonly NoticeBatchItem[]) {
    const b = this.batches.get(batchId)!;
    if (b.chunks.has(chunk)) return 'duplicate' as const;
    b.chunks.set(chunk, items);
    return 'recorded' as const;
  }
  async get(_ofc: string, batchId: string) {
    const b = this.batches.get(batchId);
    if (!b) return undefined;
    const items = [...b.chunks.entries()].sort((x, y) => x[0] - y[0]).flatMap(([, i]) => i);
    return { batch: b.batch, done: items.filter((i) => i.ok).length, failed: items.filter((i) => !i.ok).length, items };
  }
  readonly chunkReads: Array<[number, number]> = [];
  async head(ofc: string, batchId: string) {
    const progress = await this.get(ofc, batchId);
    if (!progress) return undefined;
    const { items: _items, ...head } = progress;
    return head;
  }
  async chunkItems(_ofc: string, batchId: string, first: number, last: number) {
    this.chunkReads.push([first, last]);
    const b = this.batches.get(batchId)!;
    return [...b.chunks.entries()].filter(([c]) => c >= first && c <= last).sort((x, y) => x[0] - y[0]).flatMap(([, i]) => i);
  }
}
