/**
 * The bulk upload's queues on SQS: the split of a stored upload, and the chunks (sent in batches
 * of ten; the ones SQS did not accept are sent again, so none is lost).
 */
import type { QueuePublisher } from '../use-cases/ports';
import type { UploadChunk, UploadQueue } from '../use-cases/bulk-upload/ports';

export class SqsUploadQueue implements UploadQueue {
  constructor(
    private readonly publisher: QueuePublisher,
    private readonly splitQueueUrl: string,
    private readonly chunkQueueUrl: string,
  ) {}

  async split(upload: { organizationFiscalCode: string; fileId: string }): Promise<void> {
    await this.sendAll(this.splitQueueUrl, [{ id: 's', body: JSON.stringify({ organizationFiscalCode: upload.organizationFiscalCode, fileId: upload.fileId }) }]);
  }

  async chunks(chunks: readonly UploadChunk[]): Promise<void> {
    await this.sendAll(this.chunkQueueUrl, chunks.map((c) => ({ id: String(c.chunk), body: JSON.stringify(c) })));
  }

  private async sendAll(url: string, messages: Array<{ id: string; body: string }>): Promise<void> {
    let pending = messages;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= 5) throw new Error(`${pending.length} upload messages not accepted by the queue`);
      const failed = new Set(await this.publisher.send(url, pending));
      pending = pending.filter((m) => failed.has(m.id));
      if (pending.length > 0) await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }
}
