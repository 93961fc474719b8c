/**
 * The receipt webhook (functions/receipt-webhook) through its makeHandler, with in-memory ports
 * and a fixed clock: the signature window is checked to the second, whatever the machine's load.
 */
import { describe, expect, it } from 'vitest';
import { toJsonReceipt } from '../../../scripts/pay';
import { RECEIPT_SIGNATURE_HEADER, receiptSignature, signReceiptRequest } from '../../../shared/http/receipt-signature';
import type { Organization } from '../../../shared/domain/organization';
import { position } from '../../fixtures/positions';
import {
  ESEMPIO,
  InMemoryPositions,
  InMemoryPublisher,
  RECEIPTS_QUEUE,
  call,
  clockAt,
  creditors,
  httpEvent,
  logger,
  receiptFor,
  setHandlerSettings,
} from './fakes';

setHandlerSettings();
const { makeHandler } = await import('../../../functions/receipt-webhook/handler');

const NOW = '2026-12-01T10:00:00.000Z';
const T = Date.parse(NOW) / 1000;
const SECRET = 'esempio-webhook-secret-0123456789';
const ALTROVE: Organization = { ...ESEMPIO, fiscalCode: '80007654322', name: 'Comune di Altrove', segregationCode: '13', brokerId: '80007654322', stationId: '80007654322_01' };
const ALTROVE_SECRET = 'altrove-webhook-secret-0123456789';

function webhook(organizations: Organization[] = [ESEMPIO, ALTROVE]) {
  const positions = new InMemoryPositions(position({ status: 'VALID' }));
  const publisher = new InMemoryPublisher();
  const secrets: Record<string, string> = { [ESEMPIO.fiscalCode]: SECRET, [ALTROVE.fiscalCode]: ALTROVE_SECRET };
  const handler = makeHandler({
    logger,
    webhookSecretsOf: async (fc) => (secrets[fc] !== undefined ? [{ secretId: `s-${fc}`, secret: secrets[fc]! }] : []),
    organizations: creditors(...organizations),
    clock: clockAt(NOW),
    positions,
    publisher,
    receiptsQueueUrl: RECEIPTS_QUEUE,
  });
  const post = (body: string, signature: string | undefined) =>
    call(
      handler,
      httpEvent({
        method: 'POST',
        path: '/receipts',
        headers: { 'content-type': 'application/json', ...(signature !== undefined ? { [RECEIPT_SIGNATURE_HEADER]: signature } : {}) },
        body,
      }),
    );
  const option = positions.get('TARI-2026-0001')!.paymentOptions[0]!;
  return { post, positions, publisher, option };
}

describe('POST /receipts (makeHandler, fixed clock)', () => {
  it('refuses missing, malformed, forged, stale (301 s), future (301 s), replayed and other-tenant signatures, and queues nothing', async () => {
    const w = webhook();
    const body = JSON.stringify(toJsonReceipt(receiptFor(w.option)));
    const tampered = JSON.stringify({ ...toJsonReceipt(receiptFor(w.option)), paymentAmount: 999.99 });
    const refused = [
      await w.post(body, undefined),
      await w.post(body, 'v1=abc'),
      await w.post(body, `t=${T},v1=${receiptSignature('not-the-secret', T, body)}`),
      await w.post(body, signReceiptRequest(SECRET, body, T - 301)),
      await w.post(body, signReceiptRequest(SECRET, body, T + 301)),
      await w.post(tampered, signReceiptRequest(SECRET, body, T)),
      await w.post(body, signReceiptRequest(ALTROVE_SECRET, body, T)),
    ];
    expect(refused.map((r) => r.statusCode)).toEqual([401, 401, 401, 401, 401, 401, 401]);
    expect(refused.every((r) => r.json.title === 'Unauthorized')).toBe(true);
    expect(refused[3]!.json.detail).toBe('the signature is too old or too far in the future');
    expect(refused[4]!.json.detail).toBe('the signature is too old or too far in the future');
    expect(w.publisher.sent).toEqual([]);
  });

  it('accepts a signature up to 300 s old or ahead: 202, the receipt queued in cents', async () => {
    for (const at of [T - 300, T, T + 300]) {
      const w = webhook();
      const receipt = receiptFor(w.option, { receiptId: `r-${at}` });
      const body = JSON.stringify(toJsonReceipt(receipt));
      const answer = await w.post(body, signReceiptRequest(SECRET, body, at));
      expect([answer.statusCode, answer.json]).toEqual([202, { outcome: 'queued', receiptId: `r-${at}` }]);
      expect(w.publisher.sent.map((s) => s.queueUrl)).toEqual([RECEIPTS_QUEUE]);
      expect(w.publisher.receipts()).toEqual([receipt]);
    }
  });

  it('a receipt already applied is 200 (nothing queued); another receipt for the paid option is 409 and queued all the same (money paid twice: kept as an anomaly)', async () => {
    const w = webhook();
    const paid = { ...w.option, status: 'PO_PAID' as const, payment: { receiptId: 'r-paid', paymentDate: NOW } };
    w.positions.put(position({ status: 'PAID', paymentOptions: [paid] }));
    const again = JSON.stringify(toJsonReceipt(receiptFor(paid, { receiptId: 'r-paid' })));
    const answer = await w.post(again, signReceiptRequest(SECRET, again, T));
    expect([answer.statusCode, answer.json]).toEqual([200, { outcome: 'already-applied', receiptId: 'r-paid' }]);
    const other = JSON.stringify(toJsonReceipt(receiptFor(paid, { receiptId: 'r-other' })));
    const conflict = await w.post(other, signReceiptRequest(SECRET, other, T));
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json).toMatchObject({ title: 'Conflict', status: 409 });
    expect(w.publisher.receipts().map((r) => r.receiptId)).toEqual(['r-other']);
  });

  it('a body that breaks the model is a 400 naming the fields, after the signature checked out', async () => {
    const w = webhook();
    const body = JSON.stringify({ ...toJsonReceipt(receiptFor(w.option)), paymentAmount: 12.345 });
    const answer = await w.post(body, signReceiptRequest(SECRET, body, T));
    expect(answer.statusCode).toBe(400);
    expect(answer.json.errors.map((e: { field: string }) => e.field)).toEqual(['paymentAmount']);
  });

  it('a creditor that is not active is 403; a body over 256 KiB is 413; the queue refusing is a 500', async () => {
    const suspended = webhook([{ ...ESEMPIO, status: 'SUSPENDED' }]);
    const body = JSON.stringify(toJsonReceipt(receiptFor(suspended.option)));
    expect((await suspended.post(body, signReceiptRequest(SECRET, body, T))).statusCode).toBe(403);

    const w = webhook();
    const huge = JSON.stringify({ ...toJsonReceipt(receiptFor(w.option)), paymentNote: 'x'.repeat(256 * 1024) });
    expect((await w.post(huge, signReceiptRequest(SECRET, huge, T))).statusCode).toBe(413);

    w.publisher.refuse = true;
    const failed = await w.post(body, signReceiptRequest(SECRET, body, T));
    expect(failed.statusCode).toBe(500);
    expect(failed.json.instance).toBe('request-1');
  });

  it('refuses what storage cannot hold or the text rules refuse, naming every field, and queues nothing (never 202 then lost)', async () => {
    const w = webhook();
    const refusedFields = async (patch: Record<string, unknown>) => {
      const body = JSON.stringify({ ...toJsonReceipt(receiptFor(w.option)), ...patch });
      const answer = await w.post(body, signReceiptRequest(SECRET, body, T));
      expect(answer.statusCode).toBe(400);
      return answer.json.errors.map((e: { field: string }) => e.field).sort();
    };
    expect(await refusedFields({ receiptId: 'r'.repeat(1000) })).toEqual(['receiptId']);
    expect(await refusedFields({ receiptId: '€'.repeat(400) })).toEqual(['receiptId']);
    expect(await refusedFields({ description: 'TARI \u202E00.1', companyName: 'Comune\uFFFF' })).toEqual(['companyName', 'description']);
    // a wrong amount stops the schema early: the unsafe text is named all the same
    expect(await refusedFields({ paymentAmount: 'a lot', debtor: { entityUniqueIdentifierType: 'F', entityUniqueIdentifierValue: 'RCCMNL83S18D969H', fullName: 'Mario\u0000' } })).toEqual([
      'debtor.fullName',
      'paymentAmount',
    ]);
    expect(w.publisher.sent).toEqual([]);
  });
});
