/**
 * Provisioning tenants: the operator's description parsed at the edge (the admin CLI and the
 * seed file share shared/http/organization-schemas.ts), then the use cases on an in-memory store.
 */
import { describe, expect, it } from 'vitest';
import { apiKeyId, generateApiKey, generateWebhookSecret, hashApiKey, webhookSecretId } from '../../../shared/domain/api-keys';
import { InvalidOrganizationInput, parseOrganizationInput } from '../../../shared/http/organization-schemas';
import { UseCaseError } from '../../../shared/use-cases/errors';
import { addWebhookSecret, issueApiKey } from '../../../shared/use-cases/organizations/credentials';
import { provisionOrganization } from '../../../shared/use-cases/organizations/provision';
import { InMemoryOrganizationStore } from './fakes';

const NOW = new Date('2026-11-27T10:00:00.000Z');
const TENANT = {
  fiscalCode: '80001234568',
  name: 'Comune di Esempio',
  segregationCode: '12',
  brokerId: '80001234568',
  stationId: '80001234568_01',
  iban: 'IT78L0306909606100000117002',
  ibans: ['IT47K0503401633000000012345', 'IT78L0306909606100000117002'],
  postalAccount: '12345678',
  apiKeys: ['tenant-key-0123456789abcdef'],
  webhookSecrets: ['tenant-webhook-secret-0123456789'],
  io: { apiKey: 'tenant-io-key-0123456789abcdef' },
};

describe('the tenant description (edge of provisioning)', () => {
  it('becomes the provisioning command: IBANs merged once, postal account padded, IO default service', () => {
    const command = parseOrganizationInput(TENANT, 'seed.json: organizations[0]');
    expect(command.profile).toMatchObject({
      fiscalCode: '80001234568',
      ibans: ['IT47K0503401633000000012345', 'IT78L0306909606100000117002'],
      postalAccount: { number: '000012345678' },
      io: { services: [{ serviceId: 'default', name: 'Comune di Esempio', apiKey: 'tenant-io-key-0123456789abcdef' }] },
    });
    expect(command.apiKeys).toEqual(TENANT.apiKeys);
    expect(command.webhookSecrets).toEqual(TENANT.webhookSecrets);
  });

  it('names every offending field, prefixed with where it was read', () => {
    const bad = { ...TENANT, fiscalCode: '80001234567', segregationCode: '99', extra: true };
    const error = (() => {
      try {
        parseOrganizationInput(bad, 'tenant.json');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidOrganizationInput);
    expect((error as InvalidOrganizationInput).fields.map((f) => f.field).sort()).toEqual([
      'tenant.json.(body)',
      'tenant.json.fiscalCode',
      'tenant.json.segregationCode',
    ]);
  });
});

describe('provisioning use cases', () => {
  it('creates a tenant with its keys (hashed) and secrets, and running it again changes nothing', async () => {
    const store = new InMemoryOrganizationStore();
    const command = parseOrganizationInput(TENANT, 'tenant');
    const first = await provisionOrganization(store, command, NOW);
    expect(first.created).toBe(true);
    expect(first.organization).toMatchObject({ status: 'ACTIVE', createdAt: NOW.toISOString() });
    expect(first.keyIds).toEqual([apiKeyId(hashApiKey('tenant-key-0123456789abcdef'))]);
    expect(JSON.stringify([...store.keys.values()])).not.toContain('tenant-key-0123456789abcdef');
    expect(await store.findApiKeyByHash(hashApiKey('tenant-key-0123456789abcdef'))).toMatchObject({ label: 'seed-1' });

    const again = await provisionOrganization(store, command, new Date('2027-01-01T00:00:00.000Z'));
    expect(again.created).toBe(false);
    expect(again.organization.createdAt).toBe(NOW.toISOString());
    expect(store.keys.size).toBe(1);
    expect(await store.activeWebhookSecrets('80001234568')).toEqual([
      { secretId: webhookSecretId('tenant-webhook-secret-0123456789'), secret: 'tenant-webhook-secret-0123456789' },
    ]);
  });

  it('refuses a tenant without an IBAN', async () => {
    const { iban: _iban, ibans: _ibans, ...noIban } = TENANT;
    const promise = provisionOrganization(new InMemoryOrganizationStore(), parseOrganizationInput(noIban, 'tenant'), NOW);
    await expect(promise).rejects.toThrow(UseCaseError);
    await expect(promise).rejects.toMatchObject({ kind: 'invalid', fields: [{ field: 'iban', message: 'required' }] });
  });

  it('issues keys and webhook secrets only to a tenant that exists', async () => {
    const store = new InMemoryOrganizationStore();
    await provisionOrganization(store, parseOrganizationInput(TENANT, 'tenant'), NOW);
    const key = generateApiKey(() => new Uint8Array(32).fill(7));
    expect(key).toBe(`plk_${Buffer.alloc(32, 7).toString('base64url')}`);
    const record = await issueApiKey(store, '80001234568', key, 'rotation', NOW);
    expect(record).toEqual({ keyId: apiKeyId(hashApiKey(key)), organizationFiscalCode: '80001234568', label: 'rotation', createdAt: NOW.toISOString() });
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(await addWebhookSecret(store, '80001234568', secret, NOW)).toEqual({ secretId: webhookSecretId(secret) });
    await expect(issueApiKey(store, '80007654322', key, 'x', NOW)).rejects.toMatchObject({ kind: 'not-found' });
    await expect(addWebhookSecret(store, '80007654322', secret, NOW)).rejects.toMatchObject({ kind: 'not-found' });
  });
});
