/**
 * The IO sender's RateLimiter port in DynamoDB: a per-service budget of IO calls per second
 * shared by every concurrent Lambda. One item per (service, second) counts the calls made in
 * that second (atomic ADD, conditional on staying within the budget). A caller over budget
 * waits for the next second, up to `maxWaitMs`; then the message goes back to the queue. One
 * write per call, no read-modify-write race.
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RateLimiter } from '../../use-cases/app-io/ports';
import { isConditionFailure } from './client';
import { IO_SK, ioRatePk } from './keys';

export class DynamoRateLimiter implements RateLimiter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: { maxWaitMs: number; now?: () => number; sleep?: (ms: number) => Promise<void> },
  ) {}

  async acquire(organizationFiscalCode: string, serviceId: string, ratePerSecond: number, count: number): Promise<boolean> {
    const now = this.options.now ?? Date.now;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const deadline = now() + this.options.maxWaitMs;
    const limit = Math.max(1, Math.floor(ratePerSecond));
    for (;;) {
      const t = now();
      const second = Math.floor(t / 1000);
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: ioRatePk(organizationFiscalCode, serviceId), sk: IO_SK.rateWindow(second) },
            UpdateExpression: 'ADD #used :n SET #type = :type, #expiresAt = :expires',
            ConditionExpression: 'attribute_not_exists(#used) OR #used <= :max',
            ExpressionAttributeNames: { '#used': 'used', '#type': 'type', '#expiresAt': 'expiresAt' },
            ExpressionAttributeValues: { ':n': count, ':max': limit - count, ':type': 'io-rate', ':expires': second + 120 },
          }),
        );
        return true;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const nextWindow = (second + 1) * 1000;
      if (nextWindow > deadline) return false;
      // a little jitter so waiting callers do not all hit the next second's first millisecond
      await sleep(nextWindow - t + Math.floor(Math.random() * 50));
    }
  }
}
