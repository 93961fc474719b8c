/**
 * What "nothing changed" means for the layer: every item of the main table (a full Scan) and the
 * depth of every queue (visible, in flight, delayed), including the dead-letter queues.
 */
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LocalCloud } from '../../../infra/local/cloud';

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface LayerSnapshot {
  /** `pk|sk` → the item, serialised with sorted keys */
  readonly items: ReadonlyMap<string, string>;
  /** queue name → visible + in flight + delayed */
  readonly queues: Readonly<Record<string, number>>;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export async function snapshotLayer(cloud: LocalCloud): Promise<LayerSnapshot> {
  const dynamodb = new DynamoDBClient({ region: cloud.region, endpoint: cloud.endpoints.dynamodb, credentials: CREDENTIALS });
  const sqs = new SQSClient({ region: cloud.region, endpoint: cloud.endpoints.sqs, credentials: CREDENTIALS });
  try {
    const table = cloud.env['TABLE_NAME_MAIN'];
    if (!table) throw new Error('the local cloud has no TABLE_NAME_MAIN');
    const items = new Map<string, string>();
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await dynamodb.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }));
      for (const item of page.Items ?? []) items.set(`${item['pk']?.S}|${item['sk']?.S}`, canonical(item));
      start = page.LastEvaluatedKey;
    } while (start);

    const queues: Record<string, number> = {};
    const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
    if (QueueUrls.length === 0) throw new Error('no queues listed: the snapshot would prove nothing');
    for (const url of QueueUrls) {
      const { Attributes: a = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
        }),
      );
      queues[url.slice(url.lastIndexOf('/') + 1)] =
        Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(a.ApproximateNumberOfMessagesDelayed ?? 0);
    }
    return { items, queues };
  } finally {
    dynamodb.destroy();
    sqs.destroy();
  }
}

export interface SnapshotDiff {
  readonly added: string[];
  readonly removed: string[];
  readonly changed: string[];
  readonly queues: Array<{ queue: string; before: number; after: number }>;
}

export function diffSnapshots(before: LayerSnapshot, after: LayerSnapshot): SnapshotDiff {
  const added = [...after.items.keys()].filter((k) => !before.items.has(k));
  const removed = [...before.items.keys()].filter((k) => !after.items.has(k));
  const changed = [...before.items.keys()].filter((k) => after.items.has(k) && after.items.get(k) !== before.items.get(k));
  const names = new Set([...Object.keys(before.queues), ...Object.keys(after.queues)]);
  const queues = [...names]
    .map((queue) => ({ queue, before: before.queues[queue] ?? -1, after: after.queues[queue] ?? -1 }))
    .filter((q) => q.before !== q.after);
  return { added, removed, changed, queues };
}

export const isEmptyDiff = (d: SnapshotDiff): boolean =>
  d.added.length === 0 && d.removed.length === 0 && d.changed.length === 0 && d.queues.length === 0;
