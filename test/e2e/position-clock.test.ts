/**
 * The status clock on the local layer: time-driven changes are persisted, announced, and reach
 * the citizen (a position payable from a future date gets its App IO message at that date).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESEMPIO_FC, startLocalStack, type LocalStack } from '../support/local-stack';
import { DEBTOR_CF, positionRequest } from '../fixtures/positions';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoDebtPositionStore } from '../../shared/adapters/dynamo/debt-position-store';

const positions = `/organizations/${ESEMPIO_FC}/debtpositions`;
let stack: LocalStack;

const tick = () =>
  stack.cloud.invoke('advance-position-statuses', {
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    detail: {},
  }) as Promise<{ activated: number; expired: number; skipped: number }>;
const inAWhile = (ms: number) => new Date(Date.now() + ms).toISOString();
const sleepUntil = async (iso: string) => {
  const wait = Date.parse(iso) - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait + 50));
};

beforeAll(async () => {
  stack = await startLocalStack();
  await stack.cloud.stopWorkers(); // the test drives the clock itself
  stack.cloud.startWorkers();
});
afterAll(async () => {
  await stack?.stop();
});

describe('position status clock', () => {
  it('turns PUBLISHED into VALID at the validity date, and only then the citizen gets the IO message', async () => {
    const validityDate = inAWhile(12_000);
    const body = positionRequest({ validityDate });
    const created = await stack.api('POST', `${positions}?toPublish=true`, { body });
    expect(created.status).toBe(201);
    expect(created.json.status).toBe('PUBLISHED');
    const nav: string = created.json.paymentOption[0].nav;
    await stack.cloud.drain({ timeoutMs: 60_000 });
    const inbox = () => stack.layer.io.sim.inbox(DEBTOR_CF).filter((m) => m.content?.payment_data?.notice_number === nav);
    // the sender judges payability when it sends: this check means something only before the date
    expect(Date.now()).toBeLessThan(Date.parse(validityDate));
    expect(inbox()).toHaveLength(0);

    await sleepUntil(validityDate);
    await tick();
    const listed = await stack.api('GET', `${positions}?page=0&limit=50&status=VALID`);
    expect(listed.json.payment_position_list.map((p: { iupd: string }) => p.iupd)).toContain(body['iupd']);
    await stack.cloud.drain({ timeoutMs: 60_000 });
    expect(inbox()).toHaveLength(1);

    // a second tick changes nothing
    await tick();
    const read = await stack.api('GET', `${positions}/${body['iupd']}`);
    expect(read.json.version).toBe(2);
  });

  it('expires a VALID position after its last due date when switchToExpired, with an audit line', async () => {
    const due = inAWhile(2_500);
    const base = positionRequest({ switchToExpired: true });
    const option = (base['paymentOption'] as Array<Record<string, unknown>>)[0]!;
    const body: Record<string, unknown> = { ...base, paymentOption: [{ ...option, dueDate: due }] };
    const created = await stack.api('POST', `${positions}?toPublish=true`, { body });
    expect(created.status).toBe(201);
    expect(created.json.status).toBe('VALID');
    await sleepUntil(due);
    await tick();
    const expired = await stack.api('GET', `${positions}?page=0&limit=50&status=EXPIRED`);
    expect(expired.json.payment_position_list.map((p: { iupd: string }) => p.iupd)).toContain(body['iupd']);
    const client = new DynamoDBClient({ endpoint: stack.cloud.endpoints.dynamodb, region: stack.cloud.region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const trail = await new DynamoDebtPositionStore(createDocumentClient(client), stack.cloud.env['TABLE_NAME_MAIN']!).auditTrail(ESEMPIO_FC, String(body['iupd']));
    client.destroy();
    expect(trail.map((a) => [a.action, a.fromStatus, a.toStatus])).toEqual([
      ['create', undefined, 'VALID'],
      ['expire', 'VALID', 'EXPIRED'],
    ]);
    expect(trail[1]?.actor.keyId).toBe('system:status-clock');
  });
});
