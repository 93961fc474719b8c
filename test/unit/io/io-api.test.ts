import { describe, expect, it } from 'vitest';
import {
  buildPaymentMessage,
  describeIssues,
  IO_LIMITS,
  redactFiscalCodes,
  validateFiscalCodePayload,
  validateNewMessage,
  type NewMessage,
} from '../../../shared/domain/app-io/io-api';

const valid: NewMessage = {
  fiscal_code: 'RCCMNL83S18D969H',
  time_to_live: 3600,
  content: {
    subject: 'Nuovo avviso di pagamento',
    markdown: 'Il Comune di Esempio ti ha inviato un avviso di pagamento pagoPA. '.repeat(2),
    due_date: '2025-12-31T23:00:00.000Z',
    payment_data: {
      amount: 102099,
      notice_number: '302000000000000184',
      invalid_after_due_date: false,
      payee: { fiscal_code: '00743110157' },
    },
  },
  feature_level_type: 'STANDARD',
};

function withContent(patch: Record<string, unknown>): unknown {
  return { ...valid, content: { ...valid.content, ...patch } };
}
function withPayment(patch: Record<string, unknown>): unknown {
  return withContent({ payment_data: { ...valid.content.payment_data, ...patch } });
}
function fieldsOf(msg: unknown): string[] {
  const r = validateNewMessage(msg);
  return r.ok ? [] : r.issues.map((i) => i.field);
}

describe('validateNewMessage (IO NewMessage rules)', () => {
  it('accepts a complete payment message, and a minimal one', () => {
    expect(validateNewMessage(valid)).toEqual({ ok: true, value: valid });
    const minimal = { fiscal_code: valid.fiscal_code, content: { subject: 'x'.repeat(10), markdown: 'y'.repeat(80) } };
    expect(validateNewMessage(minimal).ok).toBe(true);
  });

  it('applies the subject bounds 10..120 exactly', () => {
    expect(fieldsOf(withContent({ subject: 'x'.repeat(9) }))).toEqual(['content.subject']);
    expect(fieldsOf(withContent({ subject: 'x'.repeat(10) }))).toEqual([]);
    expect(fieldsOf(withContent({ subject: 'x'.repeat(120) }))).toEqual([]);
    expect(fieldsOf(withContent({ subject: 'x'.repeat(121) }))).toEqual(['content.subject']);
  });

  it('applies the markdown bounds 80..10000 exactly', () => {
    expect(fieldsOf(withContent({ markdown: 'x'.repeat(79) }))).toEqual(['content.markdown']);
    expect(fieldsOf(withContent({ markdown: 'x'.repeat(80) }))).toEqual([]);
    expect(fieldsOf(withContent({ markdown: 'x'.repeat(10_000) }))).toEqual([]);
    expect(fieldsOf(withContent({ markdown: 'x'.repeat(10_001) }))).toEqual(['content.markdown']);
  });

  it('applies time_to_live 3600..604800, integers only', () => {
    for (const ttl of [3600, 604_800]) expect(fieldsOf({ ...valid, time_to_live: ttl })).toEqual([]);
    for (const ttl of [3599, 604_801, 3600.5]) expect(fieldsOf({ ...valid, time_to_live: ttl })).toEqual(['time_to_live']);
    expect(IO_LIMITS.timeToLive.default).toBe(3600);
  });

  it('applies the amount range 1..9999999999 cents, integers only', () => {
    for (const amount of [1, 9_999_999_999]) expect(fieldsOf(withPayment({ amount }))).toEqual([]);
    for (const amount of [0, 10_000_000_000, 12.5, '100']) {
      expect(fieldsOf(withPayment({ amount }))).toEqual(['content.payment_data.amount']);
    }
  });

  it('accepts notice numbers of aux digits 0..3 and nothing else', () => {
    for (const n of ['002000000000000184', '112345678901234567', '212345678901234567', '302000000000000184']) {
      expect(fieldsOf(withPayment({ notice_number: n }))).toEqual([]);
    }
    for (const n of ['402000000000000184', '30200000000000018', '3020000000000001845', '30200000000000018A']) {
      expect(fieldsOf(withPayment({ notice_number: n }))).toEqual(['content.payment_data.notice_number']);
    }
  });

  it('requires an 11-digit payee fiscal code when a payee is given', () => {
    expect(fieldsOf(withPayment({ payee: { fiscal_code: '0074311015' } }))).toEqual(['content.payment_data.payee.fiscal_code']);
    expect(fieldsOf(withPayment({ payee: { fiscal_code: 'RCCMNL83S18D969H' } }))).toEqual([
      'content.payment_data.payee.fiscal_code',
    ]);
    expect(fieldsOf(withPayment({ payee: undefined }))).toEqual([]);
  });

  it('requires due_date as a real UTC ISO timestamp', () => {
    for (const d of ['2025-12-31T23:00:00Z', '2025-12-31T23:00:00.123Z']) expect(fieldsOf(withContent({ due_date: d }))).toEqual([]);
    for (const d of ['2025-12-31', '2025-12-31T23:00:00', '2025-12-31T23:00:00+01:00', '2025-02-30T10:00:00.000Z', 'domani']) {
      expect(fieldsOf(withContent({ due_date: d }))).toEqual(['content.due_date']);
    }
  });

  it('requires a person fiscal code and a known feature level', () => {
    expect(fieldsOf({ ...valid, fiscal_code: 'rccmnl83s18d969h' })).toEqual(['fiscal_code']);
    expect(fieldsOf({ ...valid, fiscal_code: undefined })).toEqual(['fiscal_code']);
    expect(fieldsOf({ ...valid, feature_level_type: 'PREMIUM' })).toEqual(['feature_level_type']);
    expect(fieldsOf({ ...valid, feature_level_type: 'ADVANCED' })).toEqual([]);
  });

  it('names every offending field at once, without echoing values', () => {
    const r = validateNewMessage({ content: { subject: 'breve', markdown: 'corto', payment_data: { amount: 0, notice_number: '9' } } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.field).sort()).toEqual(
      ['content.markdown', 'content.payment_data.amount', 'content.payment_data.notice_number', 'content.subject', 'fiscal_code'].sort(),
    );
    const text = describeIssues(r.issues);
    expect(text).toContain('content.subject: must be at least 10 characters');
    expect(text).toContain('fiscal_code: is required');
    expect(text).not.toContain('breve');
  });

  it('rejects a body that is not an object', () => {
    expect(fieldsOf(null)).toEqual(['']);
    expect(fieldsOf('{}')).toEqual(['']);
  });
});

describe('FiscalCodePayload and redaction', () => {
  it('validates the POST /profiles body', () => {
    expect(validateFiscalCodePayload({ fiscal_code: 'RCCMNL83S18D969H' }).ok).toBe(true);
    const bad = validateFiscalCodePayload({ fiscal_code: '00743110157' });
    expect(bad.ok ? [] : bad.issues.map((i) => i.field)).toEqual(['fiscal_code']);
  });

  it('masks fiscal codes in free text', () => {
    expect(redactFiscalCodes('value [RCCMNL83S18D969H] at root.fiscal_code')).toBe('value [RCC***********9H] at root.fiscal_code');
    expect(redactFiscalCodes('no codes here 302000000000000184')).toBe('no codes here 302000000000000184');
  });
});

describe('buildPaymentMessage', () => {
  const input = {
    fiscalCode: 'RCCMNL83S18D969H',
    subject: 'Nuovo avviso di pagamento',
    markdown: 'Il Comune di Esempio ti ha inviato un avviso di pagamento pagoPA. '.repeat(2),
    amountCents: 102_099,
    noticeNumber: '302000000000000184',
    payeeFiscalCode: '00743110157',
    dueDate: '2025-12-31T23:00:00.000Z',
    invalidAfterDueDate: true,
  };

  it('builds the IO body with defaults for time to live and feature level', () => {
    expect(buildPaymentMessage(input)).toEqual({
      ok: true,
      value: {
        fiscal_code: input.fiscalCode,
        time_to_live: 3600,
        feature_level_type: 'STANDARD',
        content: {
          subject: input.subject,
          markdown: input.markdown,
          due_date: input.dueDate,
          payment_data: {
            amount: 102_099,
            notice_number: input.noticeNumber,
            invalid_after_due_date: true,
            payee: { fiscal_code: '00743110157' },
          },
        },
      },
    });
  });

  it('reports a notice amount IO cannot carry (over 99.999.999,99 €)', () => {
    const r = buildPaymentMessage({ ...input, amountCents: 10_000_000_000, dueDate: undefined });
    expect(r.ok ? [] : r.issues.map((i) => i.field)).toEqual(['content.payment_data.amount']);
  });
});
