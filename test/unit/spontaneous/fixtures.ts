/** Two services as a municipality provisions them, and the tenant offering them. */
import type { Organization } from '../../../shared/domain/organization';
import type { SpontaneousService } from '../../../shared/domain/spontaneous-service';
import { ESEMPIO } from '../../fixtures/positions';

export const CERTIFICATE: SpontaneousService = {
  id: 'CERT1',
  name: 'Diritti di segreteria per certificati anagrafici',
  description: 'Rilascio di un certificato anagrafico in carta libera.',
  taxonomy: '9/0103100TS/',
  remittanceInformation: 'Diritti di segreteria certificato anagrafico',
  amount: { fixed: 52 },
  form: {
    type: 'object',
    properties: {
      certificato: { type: 'string', title: 'Certificato', enum: ['residenza', 'stato di famiglia'] },
      motivo: { type: 'string', maxLength: 10 },
      urgente: { type: 'boolean' },
    },
    required: ['certificato'],
  },
};

export const CANTEEN: SpontaneousService = {
  id: 'MENSA',
  name: 'Ricarica mensa scolastica',
  description: 'Pasti della mensa, 4,50 euro a pasto.',
  taxonomy: '9/0106101SP/',
  remittanceInformation: 'Ricarica mensa scolastica',
  validityDays: 10,
  amount: { perUnit: 450, quantityField: 'pasti' },
  form: {
    type: 'object',
    properties: {
      alunno: { type: 'string', minLength: 2, maxLength: 70 },
      pasti: { type: 'integer', minimum: 1, maximum: 100 },
      nascita: { type: 'string', format: 'date' },
      email: { type: 'string', format: 'email' },
      codice: { type: 'string', pattern: '[A-Z]{2}[0-9]{3}' },
    },
    required: ['alunno', 'pasti'],
  },
};

export const DONATION: SpontaneousService = {
  id: 'DONO1',
  name: 'Contributo volontario',
  description: 'Un contributo libero.',
  taxonomy: '9/0101108TS/',
  remittanceInformation: 'Contributo volontario',
  iban: ESEMPIO.ibans[0],
  amount: { field: 'importo', min: 100, max: 50000 },
  form: { type: 'object', properties: { importo: { type: 'number', title: 'Importo in euro' } }, required: ['importo'] },
};

export const TENANT: Organization = { ...ESEMPIO, spontaneousServices: [CERTIFICATE, CANTEEN, DONATION] };

export const PAYER = { type: 'F' as const, fiscalCode: 'RCCMNL83S18D969H', fullName: 'Emanuele Rocca', email: 'emanuele@example.it' };
