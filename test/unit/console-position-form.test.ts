/**
 * The console's position form without a browser (web/console/src/position-form-model.ts): euro
 * as an operator writes it, the body it sends (GPD's PaymentPositionModel, read by the API's own
 * schema), a position read back into the form with its notice numbers kept, and where each of the
 * API's field problems goes (`paymentOption[1].transfer[0].iban` → that control).
 */
import { describe, expect, it } from 'vitest';
import { MAX_INSTALLMENTS as RULES_MAX_INSTALLMENTS, MAX_PAYMENT_OPTIONS, MAX_TRANSFERS_PER_OPTION } from '../../shared/domain/debt-position-rules';
import { paymentPositionSchema } from '../../shared/http/debt-position-schemas';
import * as M from '../../web/console/src/position-form-model';

const IBAN = 'IT78L0306909606100000117002';
const POSTAL_IBAN = 'IT22L0760101600000012345678';

function simpleDraft(): M.PositionDraft {
  const draft = M.newDraft({ iupd: 'CONSOLE-1', iban: IBAN, dueDate: '2099-03-31' });
  Object.assign(draft, { fiscalCode: 'bncmra80a41h501e', fullName: ' Maria Bianchi ' });
  Object.assign(draft.options[0]!, { amount: '120,50', description: 'TARI 2099' });
  Object.assign(draft.options[0]!.transfers[0]!, { remittanceInformation: 'TARI 2099', iban: 'it78 l030 6909 6061 0000 0117 002' });
  return draft;
}

/** a single payment with two transfers, and two installments (the second to a stamp and another organization) */
function richDraft(): M.PositionDraft {
  const draft = simpleDraft();
  M.addTransfer(draft, 0);
  Object.assign(draft.options[0]!.transfers[0]!, { amount: '100,00' });
  Object.assign(draft.options[0]!.transfers[1]!, { amount: '20,50', iban: '', postalIban: POSTAL_IBAN });
  const r1 = M.addInstallment(draft, '2099-01-01');
  Object.assign(draft.options[r1]!, { amount: '60,25', description: 'TARI 2099 - rata 1' });
  const r2 = M.addInstallment(draft, '2099-01-01');
  Object.assign(draft.options[r2]!, { amount: '76,25', description: 'TARI 2099 - rata 2', retentionDate: '2099-12-31' });
  M.addTransfer(draft, r2);
  Object.assign(draft.options[r2]!.transfers[0]!, { amount: '60,25' });
  Object.assign(draft.options[r2]!.transfers[1]!, { amount: '16,00', kind: 'stamp', stampHashDocument: 'a'.repeat(44), stampType: '01', stampProvincialResidence: 'rm' });
  return draft;
}

describe('console position form: euro', () => {
  it('reads amounts as an Italian operator writes them, in cents', () => {
    expect(M.parseEuro('120,50')).toBe(12050);
    expect(M.parseEuro('120,5')).toBe(12050);
    expect(M.parseEuro('120')).toBe(12000);
    expect(M.parseEuro('1.250,00')).toBe(125000);
    expect(M.parseEuro('1.250')).toBe(125000); // a dot before three digits groups thousands
    expect(M.parseEuro('12.345.678,90')).toBe(1234567890);
    expect(M.parseEuro(' 45,00 € ')).toBe(4500);
    expect(M.parseEuro('120.50')).toBe(12050); // a dot before one or two digits is the decimal point
    expect(M.parseEuro('0,01')).toBe(1);
  });

  it('leaves anything else to the API (undefined): the field is then named by its message', () => {
    for (const text of ['', 'abc', '45,001', '1.25.0', '1,250,00', '-5', '12,', ',50', '1.2345']) expect(M.parseEuro(text), text).toBeUndefined();
  });

  it('shows cents in a field ("120,50") and in a sentence ("1.250,50 €")', () => {
    expect(M.formatEuro(12050)).toBe('120,50');
    expect(M.formatEuro(5)).toBe('0,05');
    expect(M.formatEuro(125000)).toBe('1250,00');
    expect(M.formatEuroText(125050)).toBe('1.250,50 €');
    expect(M.formatEuroText(-2050)).toBe('-20,50 €');
    for (const cents of [1, 99, 100, 12050, 9_999_999_999]) expect(M.parseEuro(M.formatEuro(cents))).toBe(cents);
  });

  it('adds calendar months to a day (the month’s last day when shorter)', () => {
    expect(M.addMonths('2099-01-31', 1)).toBe('2099-02-28');
    expect(M.addMonths('2099-11-15', 2)).toBe('2100-01-15');
  });
});

describe('console position form: the body', () => {
  it('the simple case sends what the form always sent: one option, one transfer of the same amount', () => {
    const body = M.buildBody(simpleDraft());
    expect(body).toEqual({
      iupd: 'CONSOLE-1',
      type: 'F',
      fiscalCode: 'BNCMRA80A41H501E',
      fullName: 'Maria Bianchi',
      paymentOption: [
        {
          amount: 12050,
          description: 'TARI 2099',
          isPartialPayment: false,
          dueDate: '2099-03-31',
          transfer: [{ idTransfer: '1', amount: 12050, remittanceInformation: 'TARI 2099', category: '9/0101002IM/', iban: IBAN }],
        },
      ],
    });
    expect(paymentPositionSchema.safeParse(body).success).toBe(true);
  });

  it('several options and transfers: ids 1..n, each amount, a postal account alone, a stamp, another organization, a retention date', () => {
    const draft = richDraft();
    draft.options[2]!.transfers[1]!.organizationFiscalCode = ' 80007654322 ';
    const body = M.buildBody(draft) as { paymentOption: Array<Record<string, unknown> & { transfer: Array<Record<string, unknown>> }> };
    expect(body.paymentOption.map((o) => [o['amount'], o['isPartialPayment'], o['dueDate']])).toEqual([
      [12050, false, '2099-03-31'],
      [6025, true, '2099-04-30'],
      [7625, true, '2099-05-30'],
    ]);
    expect(body.paymentOption[0]!.transfer).toEqual([
      { idTransfer: '1', amount: 10000, remittanceInformation: 'TARI 2099', category: '9/0101002IM/', iban: IBAN },
      { idTransfer: '2', amount: 2050, remittanceInformation: 'TARI 2099', category: '9/0101002IM/', postalIban: POSTAL_IBAN },
    ]);
    // an installment's transfer starts like the first option's first transfer
    expect(body.paymentOption[1]!.transfer).toEqual([{ idTransfer: '1', amount: 6025, remittanceInformation: 'TARI 2099', category: '9/0101002IM/', iban: IBAN }]);
    expect(body.paymentOption[2]!['retentionDate']).toBe('2099-12-31');
    expect(body.paymentOption[2]!.transfer[1]).toEqual({
      idTransfer: '2',
      amount: 1600,
      organizationFiscalCode: '80007654322',
      remittanceInformation: 'TARI 2099',
      category: '9/0101002IM/',
      stamp: { hashDocument: 'a'.repeat(44), stampType: '01', provincialResidence: 'RM' },
    });
    const parsed = paymentPositionSchema.safeParse(body);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });

  it('sends what is not an amount, and an empty IBAN, as typed: the API names the field', () => {
    const draft = simpleDraft();
    draft.options[0]!.amount = '45,001';
    draft.options[0]!.transfers[0]!.iban = ' ';
    const option = (M.buildBody(draft)['paymentOption'] as Array<{ amount: unknown; transfer: Array<Record<string, unknown>> }>)[0]!;
    expect(option.amount).toBe('45,001');
    expect(option.transfer[0]!['amount']).toBe('45,001');
    expect(option.transfer[0]!['iban']).toBe('');
  });

  it('the running sum of the transfers, once every amount is one', () => {
    const draft = richDraft();
    expect(M.transfersSum(draft.options[0]!)).toEqual({ sum: 12050, amount: 12050 });
    draft.options[0]!.transfers[1]!.amount = '2';
    expect(M.transfersSum(draft.options[0]!)).toEqual({ sum: 10200, amount: 12050 });
    draft.options[0]!.transfers[1]!.amount = '';
    expect(M.transfersSum(draft.options[0]!).sum).toBeUndefined();
  });
});

describe('console position form: a position read back', () => {
  const read: M.PositionRead = {
    iupd: 'P-1',
    organizationFiscalCode: '80001234568',
    type: 'G',
    fiscalCode: '00743110157',
    fullName: 'Ditta Esempio Srl',
    city: 'Roma',
    companyName: 'Comune di Esempio',
    validityDate: '2020-01-01T00:00:00.000Z',
    status: 'VALID',
    version: 3,
    paymentOption: [
      {
        iuv: '12000000000000107',
        nav: '312000000000000107',
        amount: 12050,
        description: 'Unica',
        isPartialPayment: false,
        dueDate: '2099-03-31T21:59:59.999Z',
        paymentOptionMetadata: [{ key: 'NOTIFICATION_FEE', value: '0' }, { key: 'k', value: 'v' }],
        transfer: [
          { idTransfer: '1', amount: 10000, organizationFiscalCode: '80001234568', remittanceInformation: 'A', category: '9/0101002IM/', iban: IBAN, transferMetadata: [{ key: 'x', value: 'y' }] },
          { idTransfer: '2', amount: 2050, organizationFiscalCode: '80007654322', remittanceInformation: 'B', category: '9/0101002IM/', stamp: { hashDocument: 'h'.repeat(44), stampType: '01', provincialResidence: 'RM' } },
        ],
      },
      { iuv: '12000000000000204', nav: '312000000000000204', amount: 500, description: 'Rata', isPartialPayment: true, dueDate: '2099-04-30T21:59:59.999Z', transfer: [{ amount: 500, remittanceInformation: 'C', category: '9/0101002IM/', iban: IBAN }] },
    ],
  };
  const dayOf = (iso: string) => iso.slice(0, 10);

  it('fills the form: amounts in euro, days, the other organization only when it is not the position’s own, a stamp', () => {
    const draft = M.draftFromPosition(read, dayOf, '2026-01-01T00:00:00.000Z');
    expect(draft.options.map((o) => [o.iuv, o.amount, o.dueDate, o.isPartialPayment])).toEqual([
      ['12000000000000107', '120,50', '2099-03-31', false],
      ['12000000000000204', '5,00', '2099-04-30', true],
    ]);
    expect(draft.options[0]!.transfers.map((t) => [t.amount, t.kind, t.organizationFiscalCode])).toEqual([
      ['100,00', 'account', ''],
      ['20,50', 'stamp', '80007654322'],
    ]);
    expect(M.optionTitle(draft, 0)).toBe('Pagamento in unica soluzione');
    expect(M.optionTitle(draft, 1)).toBe('Rata 1');
  });

  it('sends back each kept option’s IUV (its notice number stays) and what the form does not show; a past validity date and NOTIFICATION_FEE are left out', () => {
    const draft = M.draftFromPosition(read, dayOf, '2026-01-01T00:00:00.000Z');
    M.removeTransfer(draft, 0, 1);
    const i = M.addInstallment(draft, '2026-01-01');
    Object.assign(draft.options[i]!, { amount: '5,00', description: 'Rata 2' });
    const body = M.buildBody(draft) as Record<string, unknown> & { paymentOption: Array<Record<string, unknown> & { transfer: Array<Record<string, unknown>> }> };
    expect(body['city']).toBe('Roma');
    expect(body['companyName']).toBe('Comune di Esempio');
    expect(body['validityDate']).toBeUndefined();
    expect(body['status']).toBeUndefined();
    expect(body.paymentOption.map((o) => o['iuv'])).toEqual(['12000000000000107', '12000000000000204', undefined]);
    expect(body.paymentOption[0]!['paymentOptionMetadata']).toEqual([{ key: 'k', value: 'v' }]);
    // one transfer left: it is the whole option, its own metadata kept
    expect(body.paymentOption[0]!.transfer).toEqual([{ idTransfer: '1', amount: 12050, remittanceInformation: 'A', category: '9/0101002IM/', iban: IBAN, transferMetadata: [{ key: 'x', value: 'y' }] }]);
    expect(body.paymentOption[0]!['nav']).toBeUndefined();
    expect(paymentPositionSchema.safeParse(body).success).toBe(true);
    // a validity date still ahead is kept
    expect(M.buildBody(M.draftFromPosition({ ...read, validityDate: '2099-01-01T00:00:00.000Z' }, dayOf, '2026-01-01T00:00:00.000Z'))['validityDate']).toBe('2099-01-01T00:00:00.000Z');
  });
});

describe('console position form: options and transfers', () => {
  it('a second transfer starts empty and the first takes the option’s amount; up to 5', () => {
    const draft = simpleDraft();
    expect(M.addTransfer(draft, 0)).toBe(1);
    expect(draft.options[0]!.transfers.map((t) => [t.amount, t.iban])).toEqual([
      ['120,50', 'it78 l030 6909 6061 0000 0117 002'],
      ['', ''],
    ]);
    expect(M.MAX_TRANSFERS).toBe(MAX_TRANSFERS_PER_OPTION);
  });

  it('installments follow a month apart; a single payment goes first; titles and phrases', () => {
    const draft = simpleDraft();
    M.removeOption(draft, 0);
    expect(M.hasSinglePayment(draft)).toBe(false);
    M.addInstallment(draft, '2099-01-10');
    M.addInstallment(draft, '2099-01-10');
    expect(draft.options.map((o) => o.dueDate)).toEqual(['2099-02-10', '2099-03-10']);
    expect(M.addSinglePayment(draft, '2099-01-10')).toBe(0);
    expect(draft.options.map((o, i) => M.optionTitle(draft, i))).toEqual(['Pagamento in unica soluzione', 'Rata 1', 'Rata 2']);
    expect(M.optionInSentence(draft, 0, 'a')).toBe('al pagamento in unica soluzione');
    expect(M.optionInSentence(draft, 2, 'di')).toBe('della rata 2');
    expect(M.optionInSentence(draft, 1)).toBe('la rata 1');
    expect([M.MAX_INSTALLMENTS, M.MAX_OPTIONS]).toEqual([RULES_MAX_INSTALLMENTS, MAX_PAYMENT_OPTIONS]);
    while (M.canAddInstallment(draft)) M.addInstallment(draft, '2099-01-10');
    expect(draft.options.length).toBe(MAX_PAYMENT_OPTIONS);
  });

  it('the first option and its first transfer keep the ids the form always had', () => {
    expect(['descrizione', 'importo', 'scadenza'].map((n) => M.optionFieldId(0, n as M.OptionField))).toEqual(['descrizione', 'importo', 'scadenza']);
    expect(M.optionFieldId(0, 'conservazione')).toBe('opzione-1-conservazione');
    expect(M.optionFieldId(1, 'importo')).toBe('opzione-2-importo');
    expect(['causale', 'tassonomia', 'iban'].map((n) => M.transferFieldId(0, 0, n as M.TransferField))).toEqual(['causale', 'tassonomia', 'iban']);
    expect(M.transferFieldId(0, 0, 'importo')).toBe('opzione-1-trasferimento-1-importo');
    expect(M.transferFieldId(0, 1, 'iban')).toBe('opzione-1-trasferimento-2-iban');
    expect(M.transferFieldId(1, 1, 'iban')).toBe('opzione-2-trasferimento-2-iban');
  });
});

describe("console position form: the API's field problems", () => {
  it('the simple case: each field where it always was, a transfer’s amount on the one amount field', () => {
    const draft = simpleDraft();
    const place = (field: string) => M.placeField(field, draft);
    expect(place('fiscalCode')).toEqual({ id: 'codice-fiscale', label: 'Codice fiscale o partita IVA del debitore' });
    expect(place('type')?.id).toBe('tipo');
    expect(place('paymentOption[0].amount')).toEqual({ id: 'importo', label: 'Importo in euro' });
    expect(place('paymentOption[0].transfer[0].amount')).toEqual({ id: 'importo', label: 'Importo in euro' });
    expect(place('paymentOption[0].dueDate')?.id).toBe('scadenza');
    expect(place('paymentOption[0].description')?.id).toBe('descrizione');
    expect(place('paymentOption[0].transfer[0].remittanceInformation')?.id).toBe('causale');
    expect(place('paymentOption[0].transfer[0].category')?.id).toBe('tassonomia');
    expect(place('paymentOption[0].transfer[0].iban')).toEqual({ id: 'iban', label: 'IBAN di accredito' });
    // the account-or-stamp rule names the transfer itself
    expect(place('paymentOption[0].transfer[0]')?.id).toBe('iban');
  });

  it('any option and transfer: beside its own control, labelled with its option and transfer', () => {
    const draft = richDraft();
    const place = (field: string) => M.placeField(field, draft);
    expect(place('paymentOption[2].transfer[1].iban')).toEqual({ id: 'opzione-3-trasferimento-2-bollo-impronta', label: 'Rata 2 · Trasferimento 2 · Impronta del documento (SHA-256, base64)' });
    expect(place('paymentOption[0].transfer[1].postalIban')).toEqual({ id: 'opzione-1-trasferimento-2-iban-postale', label: 'Pagamento in unica soluzione · Trasferimento 2 · IBAN del conto corrente postale (facoltativo)' });
    expect(place('paymentOption[0].transfer[1].amount')?.id).toBe('opzione-1-trasferimento-2-importo');
    expect(place('paymentOption[1].transfer[0].amount')).toEqual({ id: 'opzione-2-importo', label: 'Rata 1 · Importo in euro' });
    // the transfers do not add up: beside the option's amount, where the running sum is compared
    expect(place('paymentOption[2].transfer')).toEqual({ id: 'opzione-3-importo', label: 'Rata 2 · Importo in euro' });
    expect(place('paymentOption[2].retentionDate')?.id).toBe('opzione-3-conservazione');
    expect(place('paymentOption[2].transfer[1].stamp.provincialResidence')?.id).toBe('opzione-3-trasferimento-2-bollo-provincia');
    expect(place('paymentOption[2].transfer[1].stamp')?.id).toBe('opzione-3-trasferimento-2-bollo-impronta');
    expect(place('paymentOption[2].transfer[1].organizationFiscalCode')?.id).toBe('opzione-3-trasferimento-2-ente');
    expect(place('paymentOption[2].transfer[1]')?.id).toBe('opzione-3-trasferimento-2-bollo-impronta');
  });

  it('what the form has no control for is listed at the top, said as plainly as it can', () => {
    const draft = richDraft();
    for (const field of ['paymentOption', 'paymentOption[1].iuv', 'paymentOption[7].amount', 'paymentOption[0].transfer[4].iban', 'paymentOption[0].transfer[0].idTransfer', 'paymentOption[0].constructor', 'paymentOption[0].transfer[0].toString', '(body)', 'streetName']) {
      expect(M.placeField(field, draft), field).toBeUndefined();
    }
    expect(M.describeField('paymentOption', draft)).toBe('Opzioni di pagamento (paymentOption)');
    expect(M.describeField('paymentOption[1].iuv', draft)).toBe('Rata 1 (paymentOption[1].iuv)');
    expect(M.describeField('(body)', draft)).toBe('(body)');
  });
});
