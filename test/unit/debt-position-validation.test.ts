import { describe, expect, it } from 'vitest';
import { paymentPositionSchema } from '../../shared/http/debt-position-schemas';
import { fieldProblems } from '../../shared/http/zod-errors';
import { toPositionContent } from '../../shared/http/debt-position-mapping';
import { checkPositionContent } from '../../shared/domain/debt-position-rules';
import { makeNoticeNumber } from '../../shared/domain/notice-number';
import { ESEMPIO, positionRequest } from '../fixtures/positions';

const NOW = new Date('2026-11-27T10:00:00.000Z');

function problems(body: unknown): string[] {
  const parsed = paymentPositionSchema.safeParse(body);
  if (!parsed.success) return fieldProblems(parsed.error).map((p) => p.field);
  return checkPositionContent(toPositionContent(parsed.data), { organization: ESEMPIO, now: NOW, requireFutureDueDates: true }).map(
    (e) => e.field,
  );
}

function withOption(change: Record<string, unknown>, transfer?: Record<string, unknown>): Record<string, unknown> {
  const base = positionRequest();
  const [opt] = base['paymentOption'] as Array<Record<string, unknown>>;
  const [t] = opt!['transfer'] as Array<Record<string, unknown>>;
  return { ...base, paymentOption: [{ ...opt, ...change, transfer: [{ ...t, ...transfer }] }] };
}

describe('debt position validation', () => {
  it('accepts a well-formed GPD request', () => {
    expect(problems(positionRequest())).toEqual([]);
  });

  it('names every offending field at once', () => {
    const body = positionRequest({ fiscalCode: 'RCCMNL83S18D969X', email: 'not-an-email', province: 'Roma' });
    expect(problems(body).sort()).toEqual(['email', 'fiscalCode', 'province']);
  });

  it('checks the codice fiscale check letter and the partita IVA of legal entities', () => {
    expect(problems(positionRequest({ fiscalCode: 'RCCMNL83S18D969A' }))).toEqual(['fiscalCode']);
    expect(problems(positionRequest({ type: 'G', fiscalCode: '80001234568' }))).toEqual([]);
    expect(problems(positionRequest({ type: 'G', fiscalCode: '80001234567' }))).toEqual(['fiscalCode']);
  });

  it('refuses non-integer, zero, negative and huge amounts', () => {
    for (const amount of [120.5, 0, -100, 1e12, '12050']) {
      expect(problems(withOption({ amount }, { amount }))).toContain('paymentOption[0].amount');
    }
  });

  it('requires transfers that sum exactly to the option amount', () => {
    expect(problems(withOption({ amount: 12051 }))).toEqual(['paymentOption[0].transfer']);
  });

  it('refuses more than 5 transfers, repeated ids, and a transfer with two destinations', () => {
    const base = positionRequest();
    const [opt] = base['paymentOption'] as Array<Record<string, unknown>>;
    const t = (opt!['transfer'] as Array<Record<string, unknown>>)[0]!;
    const six = Array.from({ length: 6 }, (_, i) => ({ ...t, idTransfer: String(Math.min(i + 1, 5)), amount: 1 }));
    expect(problems({ ...base, paymentOption: [{ ...opt, amount: 6, transfer: six }] })).toContain('paymentOption[0].transfer');
    const twice = [{ ...t, amount: 6000 }, { ...t, amount: 6050 }];
    expect(problems({ ...base, paymentOption: [{ ...opt, transfer: twice }] })).toEqual(['paymentOption[0].transfer[1].idTransfer']);
    expect(problems(withOption({}, { postalIban: 'IT30O0760103200000012345678' }))).toEqual(['paymentOption[0].transfer[0]']);
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

  it('allows one single payment plus installments, not two single payments or a lone installment', () => {
    const base = positionRequest();
    const [opt] = base['paymentOption'] as Array<Record<string, unknown>>;
    const inst = { ...opt, isPartialPayment: true };
    expect(problems({ ...base, paymentOption: [opt, inst, inst] })).toEqual([]);
    expect(problems({ ...base, paymentOption: [opt, opt] })).toEqual(['paymentOption']);
    expect(problems({ ...base, paymentOption: [inst] })).toEqual(['paymentOption']);
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

  it('refuses unknown fields (a typo must not pass silently) but tolerates GPD read-only fields', () => {
    expect(problems(positionRequest({ fulName: 'x' }))).toEqual(['(body)']);
    expect(problems(positionRequest({ status: 'VALID', insertedDate: '2026-01-01T00:00:00' }))).toEqual([]);
  });

  it('enforces text lengths', () => {
    expect(problems(positionRequest({ fullName: 'x'.repeat(71) }))).toEqual(['fullName']);
    expect(problems(withOption({ description: 'd'.repeat(141) }))).toEqual(['paymentOption[0].description']);
    expect(problems(positionRequest({ iupd: 'has spaces' }))).toEqual(['iupd']);
  });
});
