/**
 * The local DynamoDB Streams event source mapping: reads the table's stream shard by shard, in
 * order, keeps only the records Lambda's filter criteria would let through
 * (`{"dynamodb":{"NewImage":{"type":{"S":[itemType]}}}}`), invokes in batches and, on failure,
 * retries from the failed record (ReportBatchItemFailures with itemIdentifier = SequenceNumber;
 * a throw retries the whole batch). After `maxRetries` retries the batch is logged and skipped,
 * as MaximumRetryAttempts with an on-failure destination does on AWS.
 */
import {
  DynamoDBStreamsClient,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  ExpiredIteratorException,
  type _Record as StreamRecord,
  type GetRecordsCommandOutput,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

export interface StreamWorkerOptions {
  functionId: string;
  streamArn: string;
  region: string;
  batchSize: number;
  itemType?: string;
  streamViewType: string;
  streams: DynamoDBStreamsClient;
  invoke: (functionId: string, event: unknown) => Promise<unknown>;
  log: (line: string) => void;
  pollIntervalMs?: number;
  maxRetries?: number;
  retryDelayMs?: number;
}

interface ShardState {
  shardId: string;
  parentShardId?: string;
  iterator?: string;
  /** sequence number of the last record handled (delivered, filtered out or skipped) */
  checkpoint?: bigint;
  /** the shard is closed and every record in it has been handled */
  finished: boolean;
}

export class StreamWorker {
  private running = false;
  private loopPromise: Promise<void> | undefined;
  private readonly shards = new Map<string, ShardState>();
  private lastDescribe = 0;
  private wake: (() => void) | undefined;
  /** start time of the latest pass over every shard that found nothing left to deliver */
  private lastIdlePassStartedAt = 0;

  constructor(private readonly options: StreamWorkerOptions) {}

  /** true once a complete pass that started after `since` found every shard caught up */
  caughtUpSince(since: number): boolean {
    return this.lastIdlePassStartedAt > since;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopPromise = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loopPromise;
    this.loopPromise = undefined;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolveSleep) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolveSleep();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolveSleep();
      };
    });
  }

  private async loop(): Promise<void> {
    const interval = this.options.pollIntervalMs ?? 250;
    while (this.running) {
      const passStartedAt = Date.now();
      try {
        const delivered = await this.pass();
        if (!delivered) this.lastIdlePassStartedAt = passStartedAt;
      } catch (err) {
        this.options.log(`ERROR stream poller of ${this.options.functionId}: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (this.running) await this.sleep(interval);
    }
  }

  private async refreshShards(): Promise<void> {
    let exclusiveStartShardId: string | undefined;
    const found: Shard[] = [];
    do {
      const described = await this.options.streams.send(
        new DescribeStreamCommand({ StreamArn: this.options.streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      );
      found.push(...(described.StreamDescription?.Shards ?? []));
      exclusiveStartShardId = described.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    for (const shard of found) {
      if (!shard.ShardId || this.shards.has(shard.ShardId)) continue;
      this.shards.set(shard.ShardId, { shardId: shard.ShardId, parentShardId: shard.ParentShardId, finished: false });
    }
    this.lastDescribe = Date.now();
  }

  /** One pass over the shards; returns whether any record was delivered (or is still pending). */
  private async pass(): Promise<boolean> {
    const anyOpenWithoutIterator = [...this.shards.values()].some((s) => !s.finished && !s.iterator);
    if (this.shards.size === 0 || anyOpenWithoutIterator || Date.now() - this.lastDescribe > 5_000) await this.refreshShards();
    let delivered = false;
    for (const shard of this.shards.values()) {
      if (!this.running) return true;
      if (shard.finished) continue;
      // children wait until their parent is read to the end: order per key is preserved
      const parent = shard.parentShardId ? this.shards.get(shard.parentShardId) : undefined;
      if (parent && !parent.finished) continue;
      if (await this.readShard(shard)) delivered = true;
    }
    return delivered;
  }

  private async readShard(shard: ShardState): Promise<boolean> {
    const { streams, streamArn } = this.options;
    if (!shard.iterator) {
      const iterator = await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.shardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      shard.iterator = iterator.ShardIterator;
      if (!shard.iterator) {
        shard.finished = true;
        return false;
      }
    }
    let delivered = false;
    // drain what the shard holds now, page by page, before moving on
    for (let page = 0; page < 100 && this.running && shard.iterator; page++) {
      let records: StreamRecord[];
      let next: string | undefined;
      try {
        const got: GetRecordsCommandOutput = await streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 1000 }));
        records = got.Records ?? [];
        next = got.NextShardIterator;
      } catch (err) {
        if (err instanceof ExpiredIteratorException || err instanceof TrimmedDataAccessException) {
          shard.iterator = undefined; // re-open the shard on the next pass
          return true;
        }
        throw err;
      }
      // a page re-read after stopWorkers() mid-page skips what was already handled
      const fresh = records.filter((r) => shard.checkpoint === undefined || sequenceOf(r) > shard.checkpoint);
      const wanted = fresh.map((r) => this.toLambdaRecord(r)).filter((r) => this.matchesFilter(r));
      for (let i = 0; i < wanted.length; i += this.options.batchSize) {
        const batch = wanted.slice(i, i + this.options.batchSize);
        delivered = true;
        // stopped mid-page: the iterator is not advanced, the rest is read again on restart
        if (!this.running || !(await this.deliver(batch))) return true;
        shard.checkpoint = BigInt(batch[batch.length - 1]!.dynamodb!.SequenceNumber!);
      }
      const last = records[records.length - 1];
      if (last) shard.checkpoint = sequenceOf(last);
      shard.iterator = next;
      if (!next) shard.finished = true;
      if (records.length === 0) break;
    }
    return delivered;
  }

  private matchesFilter(record: DynamoDBRecord): boolean {
    if (!this.options.itemType) return true;
    return record.dynamodb?.NewImage?.type?.S === this.options.itemType;
  }

  /**
   * Invokes with retries from the failed record; gives up after maxRetries and logs what is
   * skipped. Returns false only when stopped before the batch was settled.
   */
  private async deliver(batch: DynamoDBRecord[]): Promise<boolean> {
    const { functionId, log } = this.options;
    const maxRetries = this.options.maxRetries ?? 3;
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      let failedFrom: number;
      try {
        const result = (await this.options.invoke(functionId, { Records: pending } satisfies DynamoDBStreamEvent)) as
          | DynamoDBBatchResponse
          | undefined
          | null;
        failedFrom = firstFailedIndex(result, pending);
      } catch (err) {
        log(`ERROR ${functionId} failed a stream batch of ${pending.length}: ${err instanceof Error ? err.message : String(err)}`);
        failedFrom = 0;
      }
      if (failedFrom < 0) return true;
      pending = pending.slice(failedFrom);
      if (attempt >= maxRetries) {
        const seq = pending.map((r) => r.dynamodb?.SequenceNumber).join(',');
        log(`ERROR ${functionId}: ${pending.length} stream record(s) skipped after ${maxRetries} retries (sequence numbers ${seq})`);
        return true;
      }
      if (!this.running) return false;
      await this.sleep((this.options.retryDelayMs ?? 200) * (attempt + 1));
    }
    return true;
  }

  private toLambdaRecord(record: StreamRecord): DynamoDBRecord {
    const d = record.dynamodb ?? {};
    return {
      eventID: record.eventID,
      eventName: record.eventName as DynamoDBRecord['eventName'],
      eventVersion: record.eventVersion ?? '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: this.options.region,
      eventSourceARN: this.options.streamArn,
      dynamodb: {
        ApproximateCreationDateTime:
          d.ApproximateCreationDateTime instanceof Date
            ? Math.floor(d.ApproximateCreationDateTime.getTime() / 1000)
            : (d.ApproximateCreationDateTime as number | undefined),
        Keys: d.Keys as never,
        ...(d.NewImage ? { NewImage: d.NewImage as never } : {}),
        ...(d.OldImage ? { OldImage: d.OldImage as never } : {}),
        SequenceNumber: d.SequenceNumber,
        SizeBytes: d.SizeBytes,
        StreamViewType: (d.StreamViewType ?? this.options.streamViewType) as never,
      },
      ...(record.userIdentity ? { userIdentity: record.userIdentity } : {}),
    };
  }
}

function sequenceOf(record: StreamRecord): bigint {
  return BigInt(record.dynamodb?.SequenceNumber ?? '0');
}

/**
 * -1 when the batch succeeded; otherwise the index to retry from: the lowest failed sequence
 * number, or 0 (the whole batch) for a malformed response or an identifier not in the batch.
 */
export function firstFailedIndex(result: DynamoDBBatchResponse | undefined | null, batch: DynamoDBRecord[]): number {
  const failures = result && typeof result === 'object' ? result.batchItemFailures : undefined;
  if (!Array.isArray(failures) || failures.length === 0) return -1;
  let first = Number.POSITIVE_INFINITY;
  for (const failure of failures) {
    const index = batch.findIndex((r) => r.dynamodb?.SequenceNumber === failure?.itemIdentifier);
    if (index < 0) return 0;
    first = Math.min(first, index);
  }
  return first;
}
