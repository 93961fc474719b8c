/**
 * The fallback e-mail as mail clients read it: every header RFC-correct (RFC 2047 encoded-words of
 * at most 75 characters holding whole UTF-8 characters, lines folded at 78, the attachment name
 * per RFC 2231), checked on the raw bytes, then read back by mailparser, a parser independent of
 * the composer, and compared field by field.
 */
import { randomBytes } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeEmail, type EmailContent } from '../../../shared/adapters/email';

const date = new Date('2027-03-15T09:41:07Z');
const messageId = '0f8e2c7a-6b1d-4f3e-9a2c-7d5e4b3a2f10@pagopa-layer';

/** 120 characters, the longest subject a template may render, accented as Italian subjects are. */
const SUBJECT_120 = "Novità per te: è già disponibile l'avviso di pagamento della TARI 2027, più comodo da pagare perché ora è pure su App IO";
const FROM = { name: "Comune di Sant'Angelo in Vado – Servizio Tributi, Riscossione e Entrate Comunali: àèéìòù ÀÈÉÌÒÙ «avvisi»", address: 'avvisi@comune.example.it' };
const TO = { name: 'Maria Teresa Niccolò D’Alessandro-Pellegrini de’ Medici Zoë Ångström Çelik Šimić', address: 'maria.dalessandro@example.org' };
const FILE_NAME = 'avviso di pagamento TARI 2027 – città di Sant’Angelo, rata unica (perché è già scaduta la prima).pdf';
const TEXT = [
  'Gentile cittadina, gentile cittadino,',
  '',
  "il Comune di Sant'Angelo in Vado ti ha inviato un avviso di pagamento pagoPA: importo 120,50 €, scadenza 31/12/2027.",
  'Una riga molto lunga, senza interruzioni, che supera di gran lunga i settantotto caratteri che una riga di posta dovrebbe avere: così si vede che il corpo è diviso bene.',
  'Ultima riga — con un trattino lungo, l’apostrofo tipografico e un’emoji 🙂.',
].join('\n');

function headerBlocks(raw: string): string[] {
  // the message's own header block, then the header block of every part
  const blocks = [raw.slice(0, raw.indexOf('\r\n\r\n'))];
  for (const m of raw.matchAll(/\r\n--[^\r\n]+\r\n([\s\S]*?)\r\n\r\n/g)) blocks.push(m[1]!);
  return blocks;
}

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

function decodedBytes(encoding: string, text: string): Buffer {
  if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64');
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '_') bytes.push(0x20);
    else if (c === '=') {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c.charCodeAt(0));
  }
  return Buffer.from(bytes);
}

/** The RFC checks on the raw text; returns the encoded-words seen, for the callers' own checks. */
function expectRfcCorrect(raw: string): string[] {
  expect(raw).not.toMatch(/[^\r]\n|\r(?!\n)/); // CRLF line ends only
  for (const line of raw.split('\r\n')) expect(line.length, line).toBeLessThanOrEqual(78);
  const words: string[] = [];
  for (const block of headerBlocks(raw)) {
    const lines = block.split('\r\n');
    for (const line of lines) {
      if (/=\?/.test(line)) expect(line.length, `a line with encoded-words: ${line}`).toBeLessThanOrEqual(76);
    }
    expect(lines[0]).toMatch(/^[A-Za-z-]+: /);
    // a line starts a header field or continues one (folded: it starts with white space)
    for (const line of lines) expect(line).toMatch(/^([A-Za-z-]+: |[ \t]\S)/);
    for (const m of block.matchAll(ENCODED_WORD)) {
      words.push(m[0]);
      expect(m[0].length, m[0]).toBeLessThanOrEqual(75);
      expect(m[1]!.toUpperCase()).toBe('UTF-8');
      // each encoded-word holds whole characters: it decodes alone, as strict UTF-8
      expect(() => new TextDecoder('utf-8', { fatal: true }).decode(decodedBytes(m[2]!, m[3]!)), m[0]).not.toThrow();
    }
  }
  // 8-bit bytes nowhere: everything non-ASCII is encoded
  expect(raw).toMatch(/^[\x09\x0a\x0d\x20-\x7e]*$/);
  return words;
}

function firstAddress(value: AddressObject | AddressObject[] | undefined) {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.flatMap((a) => a.value).map((a) => ({ name: a.name, address: a.address }));
}

async function roundTrip(content: EmailContent): Promise<{ raw: string; parsed: ParsedMail; words: string[] }> {
  const bytes = await composeEmail(content, { date, messageId });
  const raw = bytes.toString('latin1');
  const words = expectRfcCorrect(raw);
  return { raw, parsed: await simpleParser(bytes), words };
}

describe('composeEmail: the raw message', () => {
  const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), randomBytes(48_000), Buffer.from('\n%%EOF\n', 'latin1')]);
  const content: EmailContent = { from: FROM, to: TO, subject: SUBJECT_120, text: TEXT, attachments: [{ fileName: FILE_NAME, contentType: 'application/pdf', bytes: new Uint8Array(pdf) }] };

  it('a 120-character accented subject, long accented names, a non-ASCII file name: RFC-correct, and read back exactly', async () => {
    expect(SUBJECT_120).toHaveLength(120);
    const { raw, parsed, words } = await roundTrip(content);
    // the subject is several encoded-words, not one long one
    expect(words.length).toBeGreaterThan(4);

    expect(parsed.subject).toBe(SUBJECT_120);
    expect(firstAddress(parsed.from)).toEqual([FROM]);
    expect(firstAddress(parsed.to)).toEqual([TO]);
    expect(parsed.text?.replace(/\n$/, '')).toBe(TEXT);
    expect(parsed.attachments).toHaveLength(1);
    const [attachment] = parsed.attachments;
    expect(attachment!.filename).toBe(FILE_NAME);
    expect(attachment!.contentType).toBe('application/pdf');
    expect(attachment!.contentDisposition).toBe('attachment');
    expect(Buffer.from(attachment!.content).equals(pdf)).toBe(true);

    // the file name as an RFC 2231 parameter (charset, percent-encoded UTF-8, continuations)
    const disposition = headerBlocks(raw).find((b) => /^Content-Disposition: attachment/m.test(b))!;
    expect(disposition).toMatch(/filename\*0\*=utf-8''avviso%20di%20pagamento/i);
    expect(disposition).toMatch(/filename\*1\*?=/);
  });

  it('keeps what the message always had: Date, Message-ID, MIME-Version, multipart/mixed with the text first', async () => {
    const { raw, parsed } = await roundTrip(content);
    const head = headerBlocks(raw)[0]!;
    expect(head).toMatch(/^Date: Mon, 15 Mar 2027 09:41:07 \+0000$/m);
    expect(head).toMatch(/^Message-ID: <0f8e2c7a-6b1d-4f3e-9a2c-7d5e4b3a2f10@pagopa-layer>$/m);
    expect(head).toMatch(/^MIME-Version: 1\.0$/m);
    expect(head).toMatch(/^Content-Type: multipart\/mixed;\s+boundary="[^"]+"$/m);
    expect(parsed.date?.toISOString()).toBe(date.toISOString());
    expect(parsed.messageId).toBe(`<${messageId}>`);
    const [textPart] = headerBlocks(raw).slice(1);
    expect(textPart).toMatch(/^Content-Type: text\/plain; charset=utf-8$/m);
    expect(raw.endsWith('--\r\n')).toBe(true);
    // no Bcc, no X-Mailer, nothing the composer adds on its own beyond the MIME headers
    expect(head.split('\r\n').filter((l) => /^\S/.test(l)).map((l) => l.slice(0, l.indexOf(':')))).toEqual(['From', 'To', 'Subject', 'Message-ID', 'Date', 'MIME-Version', 'Content-Type']);
  });

  it('the same id and date give the same bytes (the boundary comes from the id)', async () => {
    const a = await composeEmail(content, { date, messageId });
    const b = await composeEmail(content, { date, messageId });
    expect(a.equals(b)).toBe(true);
    const c = await composeEmail(content, { date, messageId: 'another@pagopa-layer' });
    expect(c.equals(a)).toBe(false);
  });

  it('a message without attachments is one text/plain part', async () => {
    const { raw, parsed } = await roundTrip({ ...content, attachments: [] });
    expect(headerBlocks(raw)[0]).toMatch(/^Content-Type: text\/plain; charset=utf-8$/m);
    expect(raw).not.toMatch(/multipart/i);
    expect(parsed.attachments).toEqual([]);
    expect(parsed.text?.replace(/\n$/, '')).toBe(TEXT);
  });

  it('plain ASCII stays readable: no encoded-words for an ASCII subject, bare addresses without a name', async () => {
    const { raw, parsed, words } = await roundTrip({ from: { address: 'avvisi@comune.example.it' }, to: { address: 'mario@example.org' }, subject: 'Nuovo avviso di pagamento', text: 'Importo: 120,50 EUR', attachments: [] });
    expect(words).toEqual([]);
    expect(raw).toMatch(/^From: avvisi@comune\.example\.it\r\nTo: mario@example\.org\r\nSubject: Nuovo avviso di pagamento\r\n/);
    expect(parsed.subject).toBe('Nuovo avviso di pagamento');
  });
});

describe('composeEmail: every kind of text in the headers', () => {
  const subjects = [
    // mostly Latin: quoted-printable words
    'Avviso di pagamento – città di Forlì, più rate: è già possibile pagare la prima, la seconda e la terza così',
    // mostly non-Latin: base64 words
    'Ελληνικά και русский текст: уведомление об оплате — ειδοποίηση πληρωμής — 支付通知 — 納付のお知らせ',
    // 4-byte UTF-8 characters, which a split must never cut in half
    '🙂🧾💶 Avviso 🙂🧾💶 pagamento 🙂🧾💶 scadenza 🙂🧾💶 rata 🙂🧾💶 importo 🙂🧾💶 codice 🙂🧾💶 fine 🙂🧾💶',
    // specials of RFC 2047/5322 that a Q word must encode: ? = _ " ( ) , ; : and a long word
    'Domanda? Sì = "ok"_(subito); importo: 1.000,00 €, codice=3012345678901234567 Precipitevolissimevolmente',
  ];
  // by characters, not UTF-16 units: a cut must not split an emoji
  const cut = (s: string, from: number, to: number) => Array.from(s).slice(from, to).join('');
  for (const subject of subjects) {
    it(`subject ${JSON.stringify(subject.slice(0, 24))}…`, async () => {
      const name = `${cut(subject, 0, 60)} Ufficio`;
      const { parsed, words } = await roundTrip({
        from: { name, address: 'avvisi@comune.example.it' },
        to: { name: cut(subject, 20, 90).trim(), address: 'mario@example.org' },
        subject,
        text: subject,
        attachments: [{ fileName: `${cut(subject, 0, 70)}.pdf`, contentType: 'application/pdf', bytes: new TextEncoder().encode('%PDF-1.4') }],
      });
      expect(words.length).toBeGreaterThan(1);
      expect(parsed.subject).toBe(subject);
      expect(firstAddress(parsed.from)).toEqual([{ name, address: 'avvisi@comune.example.it' }]);
      expect(firstAddress(parsed.to)).toEqual([{ name: cut(subject, 20, 90).trim(), address: 'mario@example.org' }]);
      expect(parsed.attachments[0]!.filename).toBe(`${cut(subject, 0, 70)}.pdf`.replace(/[/\\]/g, '_'));
      expect(parsed.text?.replace(/\n$/, '')).toBe(subject);
    });
  }
});

describe('composeEmail: nothing a caller passes adds a header or a recipient', () => {
  const base: EmailContent = { from: { address: 'avvisi@comune.example.it' }, to: { address: 'mario@example.org' }, subject: 'Avviso', text: 'x', attachments: [] };

  it('refuses an address that is not one address', async () => {
    for (const address of ['x@y.it\r\nBcc: evil@z.it', 'x@y.it, evil@z.it', 'Mario <x@y.it>', 'no-at-sign', '']) {
      await expect(composeEmail({ ...base, to: { address } }, { date, messageId })).rejects.toThrow(/recipient/);
      await expect(composeEmail({ ...base, from: { address } }, { date, messageId })).rejects.toThrow(/sender/);
    }
  });

  it('line breaks in the subject, the names and the file name stay inside their header', async () => {
    const { raw, parsed } = await roundTrip({
      ...base,
      from: { name: 'Comune\r\nBcc: evil@z.it', address: 'avvisi@comune.example.it' },
      to: { name: 'Mario\nX-Injected: 1', address: 'mario@example.org' },
      subject: 'Avviso\r\nBcc: evil@z.it\r\n\r\ncorpo',
      attachments: [{ fileName: '../../etc/passwd\r\nX-Injected: 1.pdf', contentType: 'application/pdf', bytes: new Uint8Array([1, 2, 3]) }],
    });
    expect(raw).not.toMatch(/^(Bcc|X-Injected):/im);
    expect(parsed.headers.has('bcc')).toBe(false);
    expect(parsed.subject).toBe('Avviso Bcc: evil@z.it corpo');
    expect(firstAddress(parsed.to)).toEqual([{ name: 'Mario X-Injected: 1', address: 'mario@example.org' }]);
    expect(parsed.attachments[0]!.filename).toBe('_.._etc_passwd_X-Injected: 1.pdf');
  });
});
