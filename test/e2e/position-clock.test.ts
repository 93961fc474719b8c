/**
 * The status clock on the local layer: time-driven changes are persisted, announced, and reach
 * the citizen (a position payable from a future date gets its App IO message at that date).
 *
 * Deterministic whatever the machine's load: the clock's runs are the advance-position-statuses
 * handler (its makeHandler) on the stack's own table with a clock the test sets, so no test waits
 * for a date or races one. Dates the real clock must not reach are a day away.
 */
import type { Context, ScheduledEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESEMPIO_FC, startLocalStack, type LocalStack } from '../support/local-stack';
import { DEBTOR_CF, positionRequest } from '../fixtures/positions';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoDebtPositionStore } from '../../shared/adapters/dynamo/debt-position-store';

const positions = `/organizations/${ESEMPIO_FC}/debtpositions`;
const DAY = 86_400_000;
/** a whole second a day from now (a date the real clock cannot reach during the test) */
const aDayAhead = () => new Date(Math.ceil((Date.now() + DAY) / 1000) * 1000);
let stack: LocalStack;
let tick: (at: Date) => Promise<{ activated: number; expired: number; skipped: number }>;

const context = { awsRequestId: 'position-clock-test', functionName: 'advance-position-statuses', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const scheduled = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} } as unknown as ScheduledEvent;

beforeAll(async () => {
  stack = await startLocalStack();
  await stack.cloud.stopWorkers(); // the test drives the clock itself
  stack.cloud.startWorkers();
  // imported once the stack has set the environment the handlers read (as the local runtime does)
  const [{ makeHandler }, { positionsRoot }] = await Promise.all([
    import('../../functions/advance-position-statuses/handler'),
    import('../../shared/composition/positions'),
  ]);
  tick = (at) => makeHandler({ ...positionsRoot(), clock: () => new Date(at.getTime()) })(scheduled, context) as Promise<{ activated: number; expired: number; skipped: number }>;
});
afterAll(async () => {
  await stack?.stop();
});

describe('position status clock', () => {
  it('turns PUBLISHED into VALID at the validity date, and only then the citizen gets the IO message', async () => {
    const validityDate = aDayAhead();
    const body = positionRequest({ validityDate: validityDate.toISOString() });
    const created = await stack.api('POST', `${positions}?toPublish=true`, { body });
    expect(created.status).toBe(201);
    expect(created.json.status).toBe('PUBLISHED');
    const nav: string = created.json.paymentOption[0].nav;
    await stack.cloud.drain({ timeoutMs: 60_000 });
    const inbox = () => stack.layer.io.sim.inbox(DEBTOR_CF).filter((m) => m.content?.payment_data?.notice_number === nav);
    // the publication was announced and handled a day before the validity date: no message yet
    expect(inbox()).toHaveLength(0);
    // a clock run before the date changes nothing
    await tick(new Date(validityDate.getTime() - 1));
    expect((await stack.api('GET', `${positions}/${body['iupd']}`)).json).toMatchObject({ status: 'PUBLISHED', version: 1 });

    await tick(validityDate);
    const listed = await stack.api('GET', `${positions}?page=0&limit=50&status=VALID`);
    expect(listed.json.payment_position_list.map((p: { iupd: string }) => p.iupd)).toContain(body['iupd']);
    await stack.cloud.drain({ timeoutMs: 60_000 });
    expect(inbox()).toHaveLength(1);

    // a second run changes nothing
    await tick(new Date(validityDate.getTime() + 60_000));
    const read = await stack.api('GET', `${positions}/${body['iupd']}`);
    expect(read.json.version).toBe(2);
    await stack.cloud.drain({ timeoutMs: 60_000 });
    expect(inbox()).toHaveLength(1);
  });

  it('expires a VALID position after its last due date when switchToExpired, with an audit line', async () => {
    const due = aDayAhead();
    const base = positionRequest({ switchToExpired: true });
    const option = (base['paymentOption'] as Array<Record<string, unknown>>)[0]!;
    const body: Record<string, unknown> = { ...base, paymentOption: [{ ...option, dueDate: due.toISOString() }] };
    const created = await stack.api('POST', `${positions}?toPublish=true`, { body });
    expect(created.status).toBe(201);
    expect(created.json.status).toBe('VALID');
    // at the due date it is still due; just after it, it expires
    expect((await tick(due)).expired).toBe(0);
    expect((await tick(new Date(due.getTime() + 1))).expired).toBeGreaterThanOrEqual(1);
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
