import { describe, it, expect } from 'vitest';
import {
  REDACTED,
  maskAddress,
  maskEmail,
  maskFiscalCode,
  maskFreeText,
  maskIban,
  maskName,
  maskPersonalData,
  maskPhone,
} from '../../shared/domain/masking';

const CF = 'RCCMNL83S18D969H';
const IBAN = 'IT60X0542811101000000123456';
const EMAIL = 'mario.rossi@comune.example.it';

/** Every string anywhere inside a value (keys included), to assert nothing leaks. */
function allStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [k, ...allStrings(v)]);
  }
  return [];
}

describe('single-value masks', () => {
  it('keeps the two first and two last characters of a codice fiscale', () => {
    expect(maskFiscalCode(CF)).toBe('RC************9H');
    expect(maskFiscalCode('00743110157')).toBe('00*******57');
  });

  it('shows less of short values and nothing of 1-2 characters', () => {
    expect(maskFiscalCode('ABCDEFG')).toBe('A*****G');
    expect(maskFiscalCode('ABC')).toBe('**C');
    expect(maskFiscalCode('AB')).toBe('**');
    expect(maskFiscalCode('A')).toBe('*');
    expect(maskFiscalCode('')).toBe('');
  });

  it('keeps country, check digits and the last 4 of an IBAN, spaces or not', () => {
    expect(maskIban(IBAN)).toBe('IT60*******************3456');
    expect(maskIban('IT60 X054 2811 1010 0000 0123 456')).toBe('IT60*******************3456');
    expect(maskIban('NO9386011117947')).toBe('NO9*********947'); // 15 chars: at most 40% shown
  });

  it('keeps only the first letter of the mailbox and of the domain, and the top-level domain', () => {
    expect(maskEmail(EMAIL)).toBe('m***@c***.it');
    expect(maskEmail('a@b.com')).toBe('a***@b***.com');
    expect(maskEmail('not-an-email')).toBe('n*****-*****'.replace(/-/g, '*'));
  });

  it('keeps initials of a name, hiding word lengths', () => {
    expect(maskName('Mario Rossi')).toBe('M*** R***');
    expect(maskName('Maria  De Luca')).toBe('M***  D*** L***');
    expect(maskName('Émile Zola')).toBe('É*** Z***');
    expect(maskName('')).toBe('');
  });

  it('keeps the last 3 digits of a phone number and the first character of an address', () => {
    expect(maskPhone('+39 333 123 4567')).toBe('**********567');
    expect(maskAddress('Via Roma 1')).toBe('V***');
  });

  it('never returns a whole identifier (property over lengths 1..40)', () => {
    const source = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCD';
    for (let length = 1; length <= 40; length++) {
      const value = source.slice(0, length);
      for (const mask of [maskFiscalCode, maskIban, maskPhone]) {
        const masked = mask(value);
        expect(masked, `${mask.name}(${value})`).not.toBe(value);
        const visible = masked.replace(/\*/g, '').length;
        expect(visible * 5, `${mask.name}(${value})`).toBeLessThanOrEqual(length * 2);
      }
    }
  });
});

describe('maskFreeText', () => {
  it('masks a codice fiscale, an IBAN and an e-mail inside a sentence', () => {
    const text = `Payment by ${CF} from ${IBAN}, receipt to ${EMAIL}.`;
    expect(maskFreeText(text)).toBe('Payment by RC************9H from IT60*******************3456, receipt to m***@c***.it.');
  });

  it('masks a lower-case or omocodia codice fiscale', () => {
    expect(maskFreeText('cf rccmnl83s18d969h ok')).toBe('cf rc************9h ok');
    expect(maskFreeText('cf RCCMNLUPSMUDVSVO ok')).toBe('cf RC************VO ok');
  });

  it('masks an IBAN in print groups without eating the next word', () => {
    expect(maskFreeText('IBAN IT60 X054 2811 1010 0000 0123 456 OK')).toBe('IBAN IT60*******************3456 OK');
  });

  it('leaves notice numbers, IUVs, amounts, dates and ids alone', () => {
    const text =
      'nav 302000000000000184 iuv 02000000000000184 amount 1020.99 due 2025-03-31T00:00:00Z ' +
      'id 3f2b8c1e-9a7d-4c55-8f0e-1b2c3d4e5f60 station 00743110157_01 REQ AB12CDEFGHIJKLMNOPQ';
    expect(maskFreeText(text)).toBe(text);
  });

  it('masks an IBAN of any registered country', () => {
    expect(maskFreeText('to DE89370400440532013000.')).toBe('to DE89**************3000.');
  });
});

describe('maskPersonalData', () => {
  const position = {
    iupd: 'IUPD-2025-0001',
    type: 'F',
    fiscalCode: CF,
    fullName: 'Mario Rossi',
    companyName: 'Rossi Impianti SRL',
    streetName: 'Via Roma',
    civicNumber: '12',
    postalCode: '00100',
    email: EMAIL,
    phone: '+39 333 1234567',
    paymentOption: [
      {
        iuv: '02000000000000184',
        nav: '302000000000000184',
        amount: 102099,
        description: `TARI 2025 for ${CF}`,
        transfer: [
          { idTransfer: '1', amount: 102099, iban: IBAN, postalIban: null, category: '9/0101101IM/' },
        ],
      },
    ],
  };

  it('masks values under well-known keys by kind and scans the rest as free text', () => {
    expect(maskPersonalData(position)).toEqual({
      iupd: 'IUPD-2025-0001',
      type: 'F',
      fiscalCode: 'RC************9H',
      fullName: 'M*** R***',
      companyName: 'R*** I*** S***',
      streetName: 'V***',
      civicNumber: '1***',
      postalCode: '00100',
      email: 'm***@c***.it',
      phone: '**********567',
      paymentOption: [
        {
          iuv: '02000000000000184',
          nav: '302000000000000184',
          amount: 102099,
          description: 'TARI 2025 for RC************9H',
          transfer: [
            { idTransfer: '1', amount: 102099, iban: 'IT60*******************3456', postalIban: null, category: '9/0101101IM/' },
          ],
        },
      ],
    });
  });

  it('does not modify its input', () => {
    const copy = structuredClone(position);
    maskPersonalData(position);
    expect(position).toEqual(copy);
  });

  it('redacts keys and secrets entirely, whatever the spelling of the key', () => {
    const masked = maskPersonalData({
      headers: {
        'Ocp-Apim-Subscription-Key': 'k-123',
        authorization: 'Bearer abc.def',
        Authorization: 'Basic eHl6',
        'x-receipt-signature': 'sha256=deadbeef',
        'X-Api-Key': 'abc',
      },
      apiKey: 'ak',
      api_key: 'ak2',
      clientSecret: 's3cr3t',
      secret: { nested: 'value' },
      password: 12345,
      accessToken: 'tok',
    });
    expect(masked).toEqual({
      headers: {
        'Ocp-Apim-Subscription-Key': REDACTED,
        authorization: REDACTED,
        Authorization: REDACTED,
        'x-receipt-signature': REDACTED,
        'X-Api-Key': REDACTED,
      },
      apiKey: REDACTED,
      api_key: REDACTED,
      clientSecret: REDACTED,
      secret: REDACTED,
      password: REDACTED,
      accessToken: REDACTED,
    });
  });

  it('knows the key spellings of the SOAP, GPD and IO payloads', () => {
    const masked = maskPersonalData({
      fiscal_code: CF, // App IO
      FISCAL_CODE: CF,
      IBAN, // paGetPayment transfer
      debtor: {
        uniqueIdentifier: { entityUniqueIdentifierType: 'F', entityUniqueIdentifierValue: CF },
        fullName: 'Mario Rossi',
        streetName: 'Via Roma',
        'e-mail': EMAIL,
      },
      payer: { fullName: 'Anna Bianchi', eMail: 'anna@example.org' },
    });
    expect(masked).toEqual({
      fiscal_code: 'RC************9H',
      FISCAL_CODE: 'RC************9H',
      IBAN: 'IT60*******************3456',
      debtor: {
        uniqueIdentifier: { entityUniqueIdentifierType: 'F', entityUniqueIdentifierValue: 'RC************9H' },
        fullName: 'M*** R***',
        streetName: 'V***',
        'e-mail': 'm***@c***.it',
      },
      payer: { fullName: 'A*** B***', eMail: 'a***@e***.org' },
    });
  });

  it('masks every element of an array under a sensitive key, and numbers too', () => {
    expect(maskPersonalData({ iban: [IBAN, 'IT60 X054 2811 1010 0000 0123 456'], phone: 3331234567 })).toEqual({
      iban: ['IT60*******************3456', 'IT60*******************3456'],
      phone: '*******567',
    });
  });

  it('passes through primitives, dates and empty values', () => {
    const date = new Date('2025-03-31T00:00:00Z');
    expect(maskPersonalData(null)).toBeNull();
    expect(maskPersonalData(undefined)).toBeUndefined();
    expect(maskPersonalData(42)).toBe(42);
    expect(maskPersonalData(true)).toBe(true);
    expect(maskPersonalData({ when: date })).toEqual({ when: date });
    expect(maskPersonalData({ fiscalCode: null, email: undefined })).toEqual({ fiscalCode: null, email: undefined });
  });

  it('masks a top-level string as free text', () => {
    expect(maskPersonalData(`debtor ${CF}`)).toBe('debtor RC************9H');
  });

  it('masks the message and stack of an Error', () => {
    const error = new Error(`profile not found for ${CF}`);
    const masked = maskPersonalData({ err: error }) as { err: { name: string; message: string; stack?: string } };
    expect(masked.err.name).toBe('Error');
    expect(masked.err.message).toBe('profile not found for RC************9H');
    expect(masked.err.stack).not.toContain(CF);
  });

  it('survives cycles', () => {
    const node: Record<string, unknown> = { fiscalCode: CF };
    node.self = node;
    expect(maskPersonalData(node)).toEqual({ fiscalCode: 'RC************9H', self: '[Circular]' });
  });

  it('keeps repeated (non-circular) references', () => {
    const shared = { email: EMAIL };
    expect(maskPersonalData({ a: shared, b: shared })).toEqual({ a: { email: 'm***@c***.it' }, b: { email: 'm***@c***.it' } });
  });

  it('leaves no personal value in clear anywhere in a realistic receipt (property)', () => {
    const receipt = {
      receiptId: 'c8f9a2b1e4d34f0a9b7c6d5e4f3a2b1c',
      noticeNumber: '302000000000000184',
      fiscalCode: '00743110157',
      debtor: { entityUniqueIdentifierValue: CF, fullName: 'Mario Rossi', eMail: EMAIL },
      payer: { entityUniqueIdentifierValue: 'BDAGPP36H07C351L', fullName: 'Giuseppe Bda' },
      transferList: [{ IBAN, remittanceInformation: `/RFB/02000000000000184/1020.99/TXT/${CF}` }],
      note: `contact ${EMAIL} or BDAGPP36H07C351L, IBAN ${IBAN}`,
    };
    const strings = allStrings(maskPersonalData(receipt));
    for (const secret of [CF, 'BDAGPP36H07C351L', EMAIL, IBAN, 'Mario Rossi', 'Giuseppe', '00743110157']) {
      expect(strings.some((s) => s.includes(secret)), secret).toBe(false);
    }
    expect(strings).toContain('302000000000000184');
  });
});
