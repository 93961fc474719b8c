import { describe, expect, it } from 'vitest';
import { validateNewMessage } from '../../../shared/domain/app-io/io-api';
import {
  COUNTER_LINK_RESERVE,
  DEFAULT_TEMPLATES,
  escapeMarkdown,
  formatDateItalian,
  MESSAGE_KINDS,
  MessageRenderError,
  PLACEHOLDER_BOUNDS,
  renderMessage,
  resolveTemplate,
  TenantMessageTemplatesSchema,
  validateTemplate,
  type MessageData,
  type MessageTemplate,
} from '../../../shared/domain/app-io/templates';

const data: MessageData = {
  amountCents: 102_099,
  dueDate: '2025-12-31T12:00:00.000Z',
  noticeNumber: '302000000000000184',
  description: 'TARI 2025 - rata unica',
  creditorName: 'Comune di Esempio',
  daysLeft: 7,
};

const longBody = 'Gentile cittadino, ti scriviamo per conto di {{creditorName}} a proposito di un avviso pagoPA. ';

function codes(template: MessageTemplate, kind?: (typeof MESSAGE_KINDS)[number]): string[] {
  const r = validateTemplate(template, kind ? { kind } : {});
  return r.ok ? [] : r.errors.map((e) => `${e.field}:${e.code}`);
}

describe('default templates', () => {
  it.each(MESSAGE_KINDS)('%s is valid for its kind and renders a message IO accepts', (kind) => {
    expect(validateTemplate(DEFAULT_TEMPLATES[kind], { kind }).ok).toBe(true);
    const worst: MessageData = {
      ...data,
      amountCents: 9_999_999_999,
      description: '[clicca](https://phish.example) '.repeat(5).slice(0, PLACEHOLDER_BOUNDS.descriptionMaxLength),
      creditorName: 'C'.repeat(PLACEHOLDER_BOUNDS.creditorNameMaxLength),
    };
    for (const d of [data, worst, { ...data, description: 'x', creditorName: 'y', amountCents: 1, daysLeft: 0 }]) {
      const { subject, markdown } = renderMessage(kind, undefined, d);
      const msg = { fiscal_code: 'RCCMNL83S18D969H', content: { subject, markdown } };
      expect(validateNewMessage(msg)).toMatchObject({ ok: true });
    }
  });

  it('renders the Italian amount, the Rome due date and the grouped notice number', () => {
    const { subject, markdown } = renderMessage('new-notice', undefined, data);
    expect(subject).toBe('Nuovo avviso di pagamento');
    expect(markdown).toContain('**Importo:** 1.020,99 €');
    expect(markdown).toContain('**Scadenza:** 31/12/2025');
    expect(markdown).toContain('**Codice avviso:** 3020 0000 0000 0001 84');
    expect(markdown).toContain('**Causale:** TARI 2025 \\- rata unica');
    expect(markdown).toContain('Comune di Esempio ti ha inviato');
  });

  it('says "senza scadenza" when the option has no due date', () => {
    const { markdown } = renderMessage('new-notice', undefined, { ...data, dueDate: undefined });
    expect(markdown).toContain('**Scadenza:** senza scadenza');
  });

  it('uses the tenant template when there is one, the default otherwise', () => {
    const own: MessageTemplate = { subject: 'TARI: hai un nuovo avviso', markdown: `${longBody}Importo {{amount}} €.` };
    expect(resolveTemplate('new-notice', { 'new-notice': own })).toBe(own);
    expect(resolveTemplate('receipt', { 'new-notice': own })).toBe(DEFAULT_TEMPLATES.receipt);
    expect(renderMessage('new-notice', own, data).markdown).toBe(
      'Gentile cittadino, ti scriviamo per conto di Comune di Esempio a proposito di un avviso pagoPA. Importo 1.020,99 €.',
    );
  });
});

describe('formatDateItalian', () => {
  it('prints the calendar day in Europe/Rome, winter and summer', () => {
    expect(formatDateItalian('2025-12-31T23:30:00.000Z')).toBe('01/01/2026'); // CET, UTC+1
    expect(formatDateItalian('2025-12-31T22:59:59.000Z')).toBe('31/12/2025');
    expect(formatDateItalian('2025-06-30T22:00:00.000Z')).toBe('01/07/2025'); // CEST, UTC+2
    expect(formatDateItalian('2025-06-30T21:59:59.000Z')).toBe('30/06/2025');
  });
});

describe('validateTemplate', () => {
  it('refuses unknown placeholders and malformed braces', () => {
    expect(codes({ subject: 'Avviso {{importo}} euro', markdown: longBody })).toEqual(['subject:UNKNOWN_PLACEHOLDER']);
    expect(codes({ subject: 'Nuovo avviso di pagamento', markdown: `${longBody}{{ amount }}` })).toEqual([
      'markdown:UNKNOWN_PLACEHOLDER',
    ]);
    expect(codes({ subject: 'Nuovo avviso di pagamento', markdown: `${longBody}{{amount}` })).toEqual([
      'markdown:MALFORMED_PLACEHOLDER',
    ]);
  });

  it('allows {{daysLeft}} only in reminders', () => {
    const t = { subject: 'Mancano {{daysLeft}} giorni', markdown: longBody };
    expect(codes(t, 'reminder')).toEqual([]);
    expect(codes(t, 'new-notice')).toEqual(['subject:PLACEHOLDER_NOT_ALLOWED']);
  });

  it('refuses a subject that the longest description would push past 120', () => {
    // (and a one-character description makes it too short as well)
    expect(codes({ subject: '{{description}}', markdown: longBody })).toEqual(['subject:TOO_LONG', 'subject:TOO_SHORT']);
    expect(codes({ subject: 'Avviso: {{description}}', markdown: longBody })).toContain('subject:TOO_LONG');
  });

  it('refuses a subject that could be shorter than 10 characters', () => {
    // "0,01 €" is 6 characters with the smallest amount
    expect(codes({ subject: '{{amount}} €', markdown: longBody })).toEqual(['subject:TOO_SHORT']);
    expect(codes({ subject: 'Importo: {{amount}} €', markdown: longBody })).toEqual([]);
  });

  it('refuses markdown that could be shorter than 80 with a short description', () => {
    expect(codes({ subject: 'Nuovo avviso di pagamento', markdown: 'Avviso: {{description}}, {{amount}} €' })).toEqual([
      'markdown:TOO_SHORT',
    ]);
  });

  it('counts markdown escaping when checking the upper limit', () => {
    // IO's 10000 characters less the room kept for the counter link, less the worst description (140 characters, each escaped)
    const nearLimit = 'x'.repeat(10_000 - COUNTER_LINK_RESERVE - 140 * 2);
    expect(codes({ subject: 'Nuovo avviso di pagamento', markdown: `${nearLimit}{{description}}` })).toEqual([]);
    // one more character: the worst description (all punctuation, each escaped) no longer fits
    expect(codes({ subject: 'Nuovo avviso di pagamento', markdown: `${nearLimit}x{{description}}` })).toEqual([
      'markdown:TOO_LONG',
    ]);
  });

  it('can validate against the tenant actual creditor name', () => {
    const t = { subject: '{{creditorName}} ti ha inviato un nuovo avviso di pagamento pagoPA.', markdown: longBody }; // 70 + 51 = 121
    expect(codes(t)).toEqual(['subject:TOO_LONG']); // a 70-character name would not fit
    expect(codes({ ...t, subject: t.subject.slice(0, -1) })).toEqual([]); // 120 fits
    expect(validateTemplate(t, { creditorName: 'Comune di Esempio' }).ok).toBe(true);
  });

  it('refuses a subject on more than one line', () => {
    expect(codes({ subject: 'Nuovo avviso\ndi pagamento', markdown: longBody })).toEqual(['subject:MULTILINE_SUBJECT']);
  });

  it('reports the length range a valid template can take', () => {
    const r = validateTemplate({ subject: 'Importo: {{amount}} €', markdown: longBody });
    expect(r).toMatchObject({ ok: true, lengths: { subject: { min: 15, max: 25 } } });
  });
});

describe('renderMessage', () => {
  it('escapes user text so a description cannot inject links, images, HTML or formatting', () => {
    const description = '<script>alert(1)</script> [premi](https://evil.example) ![x](y) **grassetto** # titolo';
    const { markdown } = renderMessage('new-notice', undefined, { ...data, description });
    const line = markdown.split('\n').find((l) => l.startsWith('**Causale:**')) ?? '';
    expect(line).toBe(`**Causale:** ${escapeMarkdown(description)}`);
    // once every backslash pair is taken out, no markup character is left in the description
    const rendered = line.slice('**Causale:** '.length);
    expect(rendered.replace(/\\[!-/:-@[-`{-~]/g, '')).not.toMatch(/[<>[\]()!#*]/);
    expect(escapeMarkdown('a*b')).toBe('a\\*b');
    expect(escapeMarkdown('http://x.it')).toBe('http\\:\\/\\/x\\.it');
  });

  it('keeps a description on one line so it cannot open a new block', () => {
    const { markdown } = renderMessage('new-notice', undefined, { ...data, description: 'riga uno\n# Titolo falso\r\n- voce' });
    expect(markdown).toContain('**Causale:** riga uno \\# Titolo falso \\- voce');
    expect(markdown.split('\n').some((l) => l.startsWith('#') || l.startsWith('-'))).toBe(false);
  });

  it('leaves the subject as plain text', () => {
    const t = { subject: 'Avviso di {{creditorName}}', markdown: longBody };
    expect(renderMessage('new-notice', t, { ...data, creditorName: 'Comune *Alto*' }).subject).toBe('Avviso di Comune *Alto*');
  });

  it('refuses an invalid template and out-of-bounds data with a typed error', () => {
    const render = (fn: () => unknown): MessageRenderError => {
      try {
        fn();
      } catch (e) {
        if (e instanceof MessageRenderError) return e;
        throw e;
      }
      throw new Error('expected a MessageRenderError');
    };
    expect(render(() => renderMessage('new-notice', { subject: '{{foo}}', markdown: longBody }, data)).code).toBe('INVALID_TEMPLATE');
    expect(render(() => renderMessage('new-notice', undefined, { ...data, description: 'x'.repeat(141) })).code).toBe('INVALID_DATA');
    expect(render(() => renderMessage('new-notice', undefined, { ...data, amountCents: 0 })).code).toBe('INVALID_DATA');
    expect(render(() => renderMessage('new-notice', undefined, { ...data, noticeNumber: '123' })).code).toBe('INVALID_DATA');
    expect(render(() => renderMessage('reminder', undefined, { ...data, daysLeft: undefined })).code).toBe('INVALID_DATA');
    expect(render(() => renderMessage('new-notice', undefined, { ...data, description: '   ' })).code).toBe('INVALID_DATA');
  });
});

describe('validateTemplate on data from storage', () => {
  it('refuses a template whose parts are not text', () => {
    const bad = { subject: 42, markdown: null } as unknown as MessageTemplate;
    expect(codes(bad)).toEqual(['subject:NOT_TEXT', 'markdown:NOT_TEXT']);
  });
});

describe('TenantMessageTemplatesSchema', () => {
  it('accepts a partial set of known kinds and refuses unknown kinds', () => {
    expect(TenantMessageTemplatesSchema.safeParse({ reminder: DEFAULT_TEMPLATES.reminder }).success).toBe(true);
    expect(TenantMessageTemplatesSchema.safeParse({ sollecito: DEFAULT_TEMPLATES.reminder }).success).toBe(false);
    expect(TenantMessageTemplatesSchema.safeParse({ receipt: { subject: 'x' } }).success).toBe(false);
  });
});
