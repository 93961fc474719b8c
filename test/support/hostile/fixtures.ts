/** The items a campaign aims at, created through the public API before the "before" snapshot. */
import type { LocalStack } from '../local-stack';
import { ALTROVE_FC, ALTROVE_KEY, ESEMPIO_FC, ESEMPIO_KEY } from '../local-stack';
import { positionRequest } from '../../fixtures/positions';
import type { HostileContext, Tenant } from './cases';

export const ESEMPIO: Tenant = {
  fc: ESEMPIO_FC,
  key: ESEMPIO_KEY,
  secret: 'demo-esempio-webhook-secret-0123456789',
  brokerId: '80001234568',
  stationId: '80001234568_01',
};
export const ALTROVE: Tenant = {
  fc: ALTROVE_FC,
  key: ALTROVE_KEY,
  secret: 'demo-altrove-webhook-secret-0123456789',
  brokerId: '80007654322',
  stationId: '80007654322_01',
};

async function must(label: string, call: Promise<{ status: number; json: any; text: string }>, status: number): Promise<any> {
  const r = await call;
  if (r.status !== status) throw new Error(`${label}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

export async function prepareContext(stack: LocalStack): Promise<HostileContext> {
  const valid = await must('create VALID', stack.api('POST', `/organizations/${ESEMPIO_FC}/debtpositions?toPublish=true`, { body: positionRequest() }), 201);
  const draft = await must('create DRAFT', stack.api('POST', `/organizations/${ESEMPIO_FC}/debtpositions`, { body: positionRequest() }), 201);
  const altrove = await must(
    'create ALTROVE',
    stack.api('POST', `/organizations/${ALTROVE_FC}/debtpositions?toPublish=true`, {
      key: ALTROVE_KEY,
      body: positionRequest({
        companyName: 'Comune di Altrove',
        paymentOption: [
          {
            amount: 5000,
            description: 'Canone',
            isPartialPayment: false,
            dueDate: '2099-06-30',
            transfer: [{ idTransfer: '1', amount: 5000, remittanceInformation: 'Canone', category: '9/0101108TS/', iban: 'IT47K0503401633000000012345' }],
          },
        ],
      }),
    }),
    201,
  );
  // a subscriber to an event the campaign never causes: no delivery traffic during it
  const webhook = await must(
    'create webhook',
    stack.api('POST', `/organizations/${ESEMPIO_FC}/webhooks`, { body: { url: 'https://backoffice.example.org/hook', eventTypes: ['debt-position.deleted'] } }),
    201,
  );
  const batch = await must('create batch', stack.api('POST', `/organizations/${ESEMPIO_FC}/notices/batches`, { body: { iupds: [valid.iupd] } }), 202);
  return {
    esempio: ESEMPIO,
    altrove: ALTROVE,
    validIupd: valid.iupd,
    validNav: valid.paymentOption[0].nav,
    validIuv: valid.paymentOption[0].iuv,
    draftIupd: draft.iupd,
    altroveIupd: altrove.iupd,
    altroveNav: altrove.paymentOption[0].nav,
    webhookId: webhook.id,
    batchId: batch.batchId,
    nowSeconds: () => Math.floor(Date.now() / 1000),
  };
}
