/**
 * The create/replace body as the REST edge checks it: the zod schema (shared/http/debt-position-
 * schemas.ts) and the cross-field rules (shared/domain/debt-position-rules.ts) combined the way
 * `parseWith` combines them, so one list names every offending field.
 */
import { describe, expect, it } from 'vitest';
import { paymentPositionSchema } from '../../shared/http/debt-position-schemas';
import { HttpProblem } from '../../shared/http/problem';
import { parseWith } from '../../shared/http/rest-edge';
import { positionRuleProblems, toPositionContent } from '../../shared/http/debt-position-mapping';
import { checkPositionContent, checkPositionSize, MAX_INSTALLMENTS, MAX_POSITION_CONTENT_BYTES } from '../../shared/domain/debt-position-rules';
import { makeNoticeNumber } from '../../shared/domain/notice-number';
import { ESEMPIO, positionRequest } from '../fixtures/positions';

const NOW = new Date('2026-11-27T10:00:00.000Z');
const CONTEXT = { organization: ESEMPIO, now: NOW, requireFutureDueDates: true };
/** Poste Italiane IBAN of ESEMPIO's postal account 000012345678 (ABI 07601). */
const POSTAL_IBAN = 'IT22L0760101600000012345678';

/** Every problem of a body, as the one 400 of the REST edge names them (fields only). */
function problems(body: unknown): string[] {
  return problemList(body).map((p) => p.field);
}

function problemList(body: unknown): Array<{ field: string; message: string }> {
  try {
    const parsed = parseWith(paymentPositionSchema, body, 'debt position', positionRuleProblems(CONTEXT));
    const content = toPositionContent(parsed);
    return [...checkPositionContent(content, CONTEXT), ...checkPositionSize(content)];
  } catch (error) {
    if (error instanceof HttpProblem) return [...(error.errors ?? [])];
    throw error;
  }
}

function withOption(change: Record<string, unknown>, transfer?: Record<string, unknown>): Record<string, any> {
  const base = positionRequest();
  const [opt] = base['paymentOption'] as Array<Record<string, unknown>>;
  const [t] = opt!['transfer'] as Array<Record<string, unknown>>;
  return { ...base, paymentOption: [{ ...opt, ...change, transfer: [{ ...t, ...transfer }] }] };
}

const option0 = (body: Record<string, any>) => body['paymentOption'][0];

describe('debt position validation', () => {
  it('refuses a body that is not an object with a 400, whatever it is', () => {
    for (const body of [null, [], 'x', 42, true]) expect(problems(body), JSON.stringify(body)).toEqual(['(body)']);
  });

  it('accepts a well-formed GPD request', () => {
    expect(problems(positionRequest())).toEqual([]);
  });

  it('names every offending field at once', () => {
    const body = positionRequest({ fiscalCode: 'RCCMNL83S18D969X', email: 'not-an-email', country: 'Italia' });
    expect(problems(body).sort()).toEqual(['country', 'email', 'fiscalCode']);
  });

  it('names field errors and cross-field errors in one list: the transfers that do not add up with the malformed country', () => {
    const body = withOption({ amount: 12050 }, { amount: 12000 });
    body['country'] = 'italy';
    expect(problems(body).sort()).toEqual(['country', 'paymentOption[0].transfer']);
    // and a rule on the tenant's accounts, with a type error elsewhere
    const other = withOption({ description: 42 }, { iban: 'IT47K0503401633000000012345' });
    expect(problems(other).sort()).toEqual(['paymentOption[0].description', 'paymentOption[0].transfer[0].iban']);
    // an installment plan that breaks the rules, with a missing name
    const plan = positionRequest();
    const single = option0(plan);
    delete plan['fullName'];
    plan['paymentOption'] = [single, { ...single }];
    expect(problems(plan).sort()).toEqual(['fullName', 'paymentOption']);
  });

  it('does not name a field twice when the schema already names it (a malformed IBAN is not also "not registered")', () => {
    const list = problemList(withOption({}, { iban: 'IT79L0306909606100000117002' }));
    expect(list.map((p) => p.field)).toEqual(['paymentOption[0].transfer[0].iban']);
    // a transfer amount of the wrong type: no sum is computed from it
    expect(problems(withOption({}, { amount: '12050' }))).toEqual(['paymentOption[0].transfer[0].amount']);
  });

  it('checks the codice fiscale check letter and the partita IVA of legal entities, even when other fields are wrong', () => {
    expect(problems(positionRequest({ fiscalCode: 'RCCMNL83S18D969A' }))).toEqual(['fiscalCode']);
    expect(problems(positionRequest({ type: 'G', fiscalCode: '80001234568' }))).toEqual([]);
    expect(problems(positionRequest({ type: 'G', fiscalCode: '80001234567' }))).toEqual(['fiscalCode']);
    expect(problems(positionRequest({ fiscalCode: 'RCCMNL83S18D969A', switchToExpired: 'yes' })).sort()).toEqual(['fiscalCode', 'switchToExpired']);
    expect(problems(positionRequest({ fiscalCode: 'ANONIMO' }))).toEqual([]);
  });

  it('refuses non-integer, zero, negative and huge amounts', () => {
    for (const amount of [120.5, 0, -100, 1e12, '12050']) {
      expect(problems(withOption({ amount }, { amount }))).toContain('paymentOption[0].amount');
    }
  });

  it('refuses amounts a printed notice cannot carry (more than 10 digits of cents), with the reason', () => {
    expect(problems(withOption({ amount: 9_999_999_999 }, { amount: 9_999_999_999 }))).toEqual([]);
    const list = problemList(withOption({ amount: 10_000_000_000 }, { amount: 10_000_000_000 }));
    expect(list.map((p) => p.field).sort()).toEqual(['paymentOption[0].amount', 'paymentOption[0].transfer[0].amount']);
    expect(list[0]!.message).toMatch(/10 digits of cents/);
  });

  it('requires transfers that sum exactly to the option amount', () => {
    expect(problems(withOption({ amount: 12051 }))).toEqual(['paymentOption[0].transfer']);
  });

  it('refuses more than 5 transfers and repeated ids', () => {
    const base = positionRequest();
    const [opt] = base['paymentOption'] as Array<Record<string, unknown>>;
    const t = (opt!['transfer'] as Array<Record<string, unknown>>)[0]!;
    const six = Array.from({ length: 6 }, (_, i) => ({ ...t, idTransfer: String(Math.min(i + 1, 5)), amount: 1 }));
    expect(problems({ ...base, paymentOption: [{ ...opt, amount: 6, transfer: six }] })).toContain('paymentOption[0].transfer');
    const twice = [{ ...t, amount: 6000 }, { ...t, amount: 6050 }];
    expect(problems({ ...base, paymentOption: [{ ...opt, transfer: twice }] })).toEqual(['paymentOption[0].transfer[1].idTransfer']);
  });

  it('takes an IBAN with the postal IBAN (GPD), a postal IBAN alone, or a stamp; not a stamp with an account, not nothing', () => {
    expect(problems(withOption({}, { postalIban: POSTAL_IBAN }))).toEqual([]);
    expect(problems(withOption({}, { iban: undefined, postalIban: POSTAL_IBAN }))).toEqual([]);
    const stamp = { hashDocument: 'JtST9dN+2S++MicVNPKmAFx9GoYvb7Iq8gl2xB8CIKo=', stampType: '01', provincialResidence: 'RM' };
    expect(problems(withOption({}, { iban: undefined, stamp }))).toEqual([]);
    expect(problems(withOption({}, { stamp }))).toEqual(['paymentOption[0].transfer[0]']);
    expect(problems(withOption({}, { iban: undefined, postalIban: POSTAL_IBAN, stamp }))).toEqual(['paymentOption[0].transfer[0]']);
    expect(problems(withOption({}, { iban: null }))).toEqual(['paymentOption[0].transfer[0]']);
    // a postal IBAN must be the tenant's postal account
    expect(problems(withOption({}, { postalIban: 'IT47K0503401633000000012345' }))).toEqual(['paymentOption[0].transfer[0].postalIban']);
  });

  it('refuses IBANs with a bad check, and valid IBANs the organization has not registered', () => {
    expect(problems(withOption({}, { iban: 'IT79L0306909606100000117002' }))).toEqual(['paymentOption[0].transfer[0].iban']);
    expect(problems(withOption({}, { iban: 'IT47K0503401633000000012345' }))).toEqual(['paymentOption[0].transfer[0].iban']);
  });

  it('checks the taxonomy code format', () => {
    expect(problems(withOption({}, { category: 'TARI' }))).toEqual(['paymentOption[0].transfer[0].category']);
  });

  it('refuses due dates in the past or before the validity date, and malformed dates', () => {
    expect(problems(withOption({ dueDate: '2026-01-01' }))).toEqual(['paymentOption[0].dueDate']);
    expect(problems(withOption({ dueDate: '2026-02-30' }))).toEqual(['paymentOption[0].dueDate']);
    expect(problems({ ...positionRequest(), validityDate: '2100-01-01T00:00:00' })).toEqual(['paymentOption[0].dueDate']);
  });

  it('refuses UTC offsets no clock uses instead of moving the date', () => {
    expect(problems(withOption({ dueDate: '2099-03-31T23:59:59+02:00' }))).toEqual([]);
    for (const dueDate of ['2099-03-31T23:59:59+99:99', '2099-03-31T23:59:59+24:00', '2099-03-31T23:59:59-13:61', '2099-03-31T23:59:59+14:01']) {
      expect(problems(withOption({ dueDate })), dueDate).toEqual(['paymentOption[0].dueDate']);
    }
  });

  it('allows one single payment plus installments and a lone installment (GPD), not two single payments', () => {
    const base = positionRequest();
    const [opt] = base['paymentOption'] as Array<Record<string, unknown>>;
    const inst = { ...opt, isPartialPayment: true };
    expect(problems({ ...base, paymentOption: [opt, inst, inst] })).toEqual([]);
    expect(problems({ ...base, paymentOption: [opt, opt] })).toEqual(['paymentOption']);
    expect(problems({ ...base, paymentOption: [inst] })).toEqual([]);
  });

  it(`refuses more installments than a printed notice lays out (${MAX_INSTALLMENTS}), and more than 37 options`, () => {
    const base = positionRequest();
    const [opt] = base['paymentOption'] as Array<Record<string, unknown>>;
    const inst = { ...opt, isPartialPayment: true };
    expect(problems({ ...base, paymentOption: [opt, ...Array.from({ length: MAX_INSTALLMENTS }, () => inst)] })).toEqual([]);
    const tooMany = problemList({ ...base, paymentOption: Array.from({ length: MAX_INSTALLMENTS + 1 }, () => inst) });
    expect(tooMany.map((p) => p.field)).toEqual(['paymentOption']);
    expect(tooMany[0]!.message).toMatch(/notice/);
    expect(problems({ ...base, paymentOption: Array.from({ length: 38 }, () => inst) })).toEqual(['paymentOption']);
  });

  it(`refuses a position larger than ${MAX_POSITION_CONTENT_BYTES} bytes once stored, naming the limit`, () => {
    const metadata = Array.from({ length: 10 }, (_, i) => ({ key: `chiave-${i}-${'k'.repeat(120)}`, value: 'v'.repeat(140) }));
    const big = positionRequest();
    const [opt] = big['paymentOption'] as Array<Record<string, any>>;
    const transfer = { ...opt!['transfer'][0], amount: 1000, transferMetadata: metadata };
    const option = { ...opt, isPartialPayment: true, amount: 5000, paymentOptionMetadata: metadata, transfer: [1, 2, 3, 4, 5].map((id) => ({ ...transfer, idTransfer: String(id) })) };
    big['paymentOption'] = Array.from({ length: MAX_INSTALLMENTS }, () => option);
    const list = problemList(big);
    expect(list.map((p) => p.field)).toEqual(['(body)']);
    expect(list[0]!.message).toMatch(/bytes/);
  });

  it('checks supplied notice numbers: check digits, aux digit and the tenant segregation code', () => {
    const mine = makeNoticeNumber('12', 42n);
    expect(problems(withOption({ nav: mine.nav }))).toEqual([]);
    expect(problems(withOption({ iuv: mine.iuv }))).toEqual([]);
    const badCheck = `${mine.nav.slice(0, 16)}${mine.nav.endsWith('00') ? '01' : '00'}`;
    expect(problems(withOption({ nav: badCheck }))).toEqual(['paymentOption[0].nav']);
    expect(problems(withOption({ nav: makeNoticeNumber('34', 42n).nav }))).toEqual(['paymentOption[0].nav']);
    expect(problems(withOption({ iuv: '1200000000004' }))).toEqual(['paymentOption[0].iuv']);
  });

  it('refuses unknown fields (a typo must not pass silently) but tolerates every GPD read-only field, null included', () => {
    expect(problems(positionRequest({ fulName: 'x' }))).toEqual(['(body)']);
    expect(problems(positionRequest({ status: 'VALID', insertedDate: '2026-01-01T00:00:00', version: 3, paymentDate: null }))).toEqual([]);
    const echoed = withOption(
      { fee: 100, notificationFee: 0, status: 'PO_UNPAID', reportingDate: null, idFlowReporting: null, paymentMethod: null, pspCompany: null, idReceipt: null, serviceType: 'GPD', lastUpdatedDateNotificationFee: null },
      { status: 'T_UNREPORTED', insertedDate: '2026-01-01T00:00:00', companyName: null },
    );
    expect(problems(echoed)).toEqual([]);
    // read-only, but of the documented type
    expect(problems(withOption({ fee: 'a lot' }))).toEqual(['paymentOption[0].fee']);
  });

  it('takes explicit null for every optional field at every depth, and null metadata lists as empty', () => {
    const body = withOption(
      { iuv: null, nav: null, retentionDate: null, description: null, paymentOptionMetadata: null },
      { organizationFiscalCode: null, postalIban: null, stamp: null, companyName: null, transferMetadata: null },
    );
    Object.assign(body, { payStandIn: null, streetName: null, civicNumber: null, postalCode: null, city: null, province: null, region: null, country: null, email: null, phone: null, switchToExpired: null, companyName: null, officeName: null, validityDate: null });
    expect(problems(body)).toEqual([]);
    const content = toPositionContent(paymentPositionSchema.parse(body));
    expect(content.paymentOptions[0]!.metadata).toEqual([]);
    expect(content.paymentOptions[0]!.transfers[0]!.metadata).toEqual([]);
    expect(content.payStandIn).toBe(true);
    expect(content.debtor).toEqual({ type: 'F', fiscalCode: body['fiscalCode'], fullName: 'Mario Rossi' });
  });

  it('takes empty optional texts as GPD does, stored as absent; required texts stay non-empty', () => {
    const body = positionRequest({ streetName: '', city: '  ', officeName: '', phone: '', email: '', region: '' });
    expect(problems(body)).toEqual([]);
    const content = toPositionContent(paymentPositionSchema.parse(body));
    expect(content.debtor.streetName).toBeUndefined();
    expect(content.debtor.email).toBeUndefined();
    expect(content.officeName).toBeUndefined();
    expect(problems(positionRequest({ fullName: '' }))).toEqual(['fullName']);
    expect(problems(positionRequest({ companyName: '' }))).toEqual(['companyName']);
    expect(problems(withOption({}, { remittanceInformation: '' }))).toEqual(['paymentOption[0].transfer[0].remittanceInformation']);
  });

  it('takes province and phone as GPD does (free text), within the paForNode limit where the node sees the value', () => {
    expect(problems(positionRequest({ province: 'string', phone: 'string' }))).toEqual([]);
    expect(problems(positionRequest({ province: 'Provincia autonoma di Bolzano', phone: '+39 (06) 1234-567 int. 2' }))).toEqual([]);
    // stateProvinceRegion is stText35 in paForNode
    expect(problems(positionRequest({ province: 'p'.repeat(36) }))).toEqual(['province']);
    expect(problems(positionRequest({ phone: '1'.repeat(256) }))).toEqual(['phone']);
  });

  it('stores payStandIn and the transfer companyName; ignores the fee a client sends', () => {
    const body = withOption({ fee: 500 }, { companyName: 'Comune di Esempio' });
    body['payStandIn'] = false;
    const content = toPositionContent(paymentPositionSchema.parse(body));
    expect(content.payStandIn).toBe(false);
    expect(content.paymentOptions[0]!.transfers[0]!.companyName).toBe('Comune di Esempio');
    expect(content.paymentOptions[0]!.fee).toBe(0);
    expect(problems(withOption({}, { companyName: 'c'.repeat(141) }))).toEqual(['paymentOption[0].transfer[0].companyName']);
  });

  it('metadata: at most 10 pairs, keys unique in a list, NOTIFICATION_FEE reserved on options', () => {
    const pairs = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expect(problems(withOption({ paymentOptionMetadata: pairs(10) }, { transferMetadata: pairs(10) }))).toEqual([]);
    expect(problems(withOption({ paymentOptionMetadata: pairs(11) }))).toEqual(['paymentOption[0].paymentOptionMetadata']);
    const twice = [{ key: 'anno', value: '2026' }, { key: 'anno', value: '2027' }];
    expect(problems(withOption({ paymentOptionMetadata: twice }))).toEqual(['paymentOption[0].paymentOptionMetadata[1].key']);
    expect(problems(withOption({}, { transferMetadata: twice }))).toEqual(['paymentOption[0].transfer[0].transferMetadata[1].key']);
    const reserved = problemList(withOption({ paymentOptionMetadata: [{ key: 'NOTIFICATION_FEE', value: '100' }] }));
    expect(reserved.map((p) => p.field)).toEqual(['paymentOption[0].paymentOptionMetadata[0].key']);
    expect(reserved[0]!.message).toMatch(/reserved/);
  });

  it('enforces text lengths', () => {
    expect(problems(positionRequest({ fullName: 'x'.repeat(71) }))).toEqual(['fullName']);
    expect(problems(withOption({ description: 'd'.repeat(141) }))).toEqual(['paymentOption[0].description']);
    expect(problems(positionRequest({ iupd: 'has spaces' }))).toEqual(['iupd']);
  });
});
