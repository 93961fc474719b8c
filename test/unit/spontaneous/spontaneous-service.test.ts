import { describe, expect, it } from 'vitest';
import {
  amountOf,
  checkServiceDefinition,
  dueDateOf,
  spontaneousPositionContent,
  spontaneousServiceSchema,
  validateServiceForm,
  type FormValues,
} from '../../../shared/domain/spontaneous-service';
import { parseOrganizationInput } from '../../../shared/http/organization-schemas';
import { CANTEEN, CERTIFICATE, DONATION, PAYER, TENANT } from './fixtures';

const valuesOf = (result: ReturnType<typeof validateServiceForm>): FormValues => {
  if (Array.isArray(result)) throw new Error(`refused: ${JSON.stringify(result)}`);
  return result.values;
};

describe('validateServiceForm', () => {
  it('trims strings and coerces numbers and booleans as an HTML form posts them', () => {
    expect(valuesOf(validateServiceForm(CANTEEN, { alunno: '  Anna Rossi ', pasti: ' 12 ', nascita: '2018-02-28' }))).toEqual({
      alunno: 'Anna Rossi',
      pasti: 12,
      nascita: '2018-02-28',
    });
    expect(valuesOf(validateServiceForm(CERTIFICATE, { certificato: 'residenza', urgente: 'on' }))).toEqual({ certificato: 'residenza', urgente: true });
    // an absent optional checkbox is false, an empty optional text is left out
    expect(valuesOf(validateServiceForm(CERTIFICATE, { certificato: 'residenza', motivo: '  ' }))).toEqual({ certificato: 'residenza', urgente: false });
    expect(valuesOf(validateServiceForm(DONATION, { importo: '12,50' }))).toEqual({ importo: 12.5 });
    expect(valuesOf(validateServiceForm(CANTEEN, { alunno: 'Anna', pasti: 2, codice: 'AB123' }))).toEqual({ alunno: 'Anna', pasti: 2, codice: 'AB123' });
    expect(validateServiceForm(CANTEEN, { alunno: { nome: 'Anna' }, pasti: true })).toEqual([
      { field: 'alunno', message: 'deve essere un testo' },
      { field: 'pasti', message: 'deve essere un numero intero' },
    ]);
  });

  it('names every offending field at once', () => {
    const errors = validateServiceForm(CANTEEN, {
      alunno: 'A',
      pasti: '1.5',
      nascita: '2018-02-30',
      email: 'not-an-email',
      codice: 'ab123',
      colore: 'blu',
    });
    expect(Array.isArray(errors)).toBe(true);
    expect((errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['alunno', 'codice', 'colore', 'email', 'nascita', 'pasti']);
    expect(validateServiceForm(CANTEEN, {})).toEqual([
      { field: 'alunno', message: 'è obbligatorio' },
      { field: 'pasti', message: 'è obbligatorio' },
    ]);
    expect(validateServiceForm(CANTEEN, { alunno: 'Anna', pasti: 101 })).toEqual([{ field: 'pasti', message: 'deve essere al massimo 100' }]);
    expect(validateServiceForm(CERTIFICATE, { certificato: 'nascita', motivo: 'x'.repeat(11) })).toEqual([
      { field: 'certificato', message: 'deve essere uno di: residenza, stato di famiglia' },
      { field: 'motivo', message: 'al massimo 10 caratteri' },
    ]);
  });

  it('checks the amount rule on its own field: euros with two decimals, within min and max', () => {
    expect(validateServiceForm(DONATION, { importo: '0.50' })).toEqual([{ field: 'importo', message: 'deve essere tra 1,00 € e 500,00 €' }]);
    expect(validateServiceForm(DONATION, { importo: '10.123' })).toEqual([{ field: 'importo', message: 'deve essere un importo in euro con al massimo due decimali' }]);
  });
});

describe('amountOf', () => {
  it('fixed, per unit and from a field (euros → cents)', () => {
    expect(amountOf(CERTIFICATE, valuesOf(validateServiceForm(CERTIFICATE, { certificato: 'residenza' })))).toBe(52);
    expect(amountOf(CANTEEN, valuesOf(validateServiceForm(CANTEEN, { alunno: 'Anna', pasti: '10' })))).toBe(4500);
    expect(amountOf(DONATION, valuesOf(validateServiceForm(DONATION, { importo: '19.99' })))).toBe(1999);
  });
});

describe('the position content', () => {
  it('one option of the amount, one transfer to the service IBAN with its taxonomy, due validityDays after today (Rome)', () => {
    const now = new Date('2026-12-03T23:30:00.000Z'); // already 4 December in Rome
    const values = valuesOf(validateServiceForm(CANTEEN, { alunno: 'Anna Rossi', pasti: '3' }));
    const content = spontaneousPositionContent(CANTEEN, TENANT, { payer: PAYER, values, now });
    expect(content.debtor).toEqual({ type: 'F', fiscalCode: PAYER.fiscalCode, fullName: PAYER.fullName, email: PAYER.email });
    expect(content.paymentOptions).toHaveLength(1);
    const o = content.paymentOptions[0]!;
    expect(o).toMatchObject({ amount: 1350, isPartialPayment: false, description: 'Ricarica mensa scolastica', dueDate: '2026-12-14T22:59:59.999Z' });
    expect(o.transfers).toEqual([
      { idTransfer: '1', amount: 1350, remittanceInformation: 'Ricarica mensa scolastica', category: '9/0106101SP/', iban: TENANT.ibans[0], metadata: [] },
    ]);
    expect(o.metadata).toEqual([
      { key: 'alunno', value: 'Anna Rossi' },
      { key: 'pasti', value: '3' },
    ]);
    expect(dueDateOf({}, now)).toBe('2027-01-03T22:59:59.999Z');
  });
});

describe('definitions refused at provisioning, with a precise message', () => {
  const tenantInput = (services: unknown[]) => ({
    fiscalCode: TENANT.fiscalCode,
    name: TENANT.name,
    segregationCode: TENANT.segregationCode,
    brokerId: TENANT.brokerId,
    stationId: TENANT.stationId,
    iban: TENANT.ibans[0],
    spontaneousServices: services,
  });
  const refusal = (services: unknown[]): string => {
    try {
      parseOrganizationInput(tenantInput(services), 'tenant.json');
    } catch (error) {
      return (error as Error).message;
    }
    return 'accepted';
  };

  it('accepts the subset and keeps the services on the profile', () => {
    const command = parseOrganizationInput(tenantInput([CERTIFICATE, CANTEEN, DONATION]), 'tenant.json');
    expect(command.profile.spontaneousServices?.map((s) => s.id)).toEqual(['CERT1', 'MENSA', 'DONO1']);
  });

  it('refuses keywords and types outside the subset, naming them', () => {
    expect(refusal([{ ...CANTEEN, form: { ...CANTEEN.form, properties: { ...CANTEEN.form.properties, figli: { type: 'array' } } } }])).toMatch(
      /tenant\.json\.spontaneousServices\[0\]\.form\.properties\.figli\.type/,
    );
    expect(refusal([{ ...CANTEEN, form: { ...CANTEEN.form, properties: { alunno: { type: 'string', oneOf: [] }, pasti: { type: 'integer' } } } }])).toMatch(
      /form\.properties\.alunno.*oneOf/,
    );
    expect(refusal([{ ...CANTEEN, form: { ...CANTEEN.form, $ref: '#/x' } }])).toMatch(/form.*\$ref/);
    expect(refusal([{ ...CANTEEN, form: { ...CANTEEN.form, required: ['alunno', 'classe'] } }])).toMatch(/form\.required\[1\]: names no field of the form: classe/);
    expect(refusal([{ ...CANTEEN, form: { ...CANTEEN.form, properties: { ...CANTEEN.form.properties, codiceFiscalePagatore: { type: 'string' } } } }])).toMatch(
      /codiceFiscalePagatore: is reserved for the payer/,
    );
  });

  it('refuses an amount rule naming a missing or mistyped field, a foreign IBAN, a bad id or taxonomy, a repeated id', () => {
    expect(refusal([{ ...CANTEEN, amount: { perUnit: 450, quantityField: 'bambini' } }])).toMatch(/spontaneousServices\[0\]\.amount\.quantityField: names no field of the form: bambini/);
    expect(refusal([{ ...CANTEEN, amount: { perUnit: 450, quantityField: 'alunno' } }])).toMatch(/amount\.quantityField: alunno must be an integer field, it is string/);
    expect(refusal([{ ...DONATION, amount: { field: 'totale', min: 1, max: 2 } }])).toMatch(/amount\.field: names no field of the form: totale/);
    expect(refusal([{ ...DONATION, iban: 'IT60X0542811101000000123456' }])).toMatch(/spontaneousServices\[0\]\.iban: is not one of the organization's IBANs/);
    expect(refusal([{ ...CANTEEN, id: 'mensa' }])).toMatch(/spontaneousServices\[0\]\.id: must be 5 characters A-Z 0-9/);
    expect(refusal([{ ...CANTEEN, taxonomy: '0/0101002IM/' }])).toMatch(/spontaneousServices\[0\]\.taxonomy: prefix 0\//);
    expect(refusal([CANTEEN, CANTEEN])).toMatch(/spontaneousServices\[1\]\.id: service id MENSA is used twice/);
  });

  it('checkServiceDefinition alone', () => {
    expect(checkServiceDefinition(CANTEEN, TENANT)).toEqual([]);
    expect(checkServiceDefinition({ ...CANTEEN, form: { ...CANTEEN.form, required: ['alunno'] } }, TENANT)).toEqual([
      { field: 'amount.quantityField', message: 'pasti must be required' },
    ]);
    expect(spontaneousServiceSchema.safeParse({ ...CANTEEN, extra: 1 }).success).toBe(false);
  });
});
