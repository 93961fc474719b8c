/**
 * Provisioning a tenant: what `npm run admin -- create-tenant` and the local seed file do, so a
 * seed that starts locally also provisions on AWS. Idempotent: running it again updates the
 * profile and leaves registered keys and secrets as they are.
 */
import { apiKeyId, hashApiKey, webhookSecretId } from '../../domain/api-keys';
import type { Organization } from '../../domain/organization';
import { UseCaseError } from '../errors';
import type { OrganizationStore } from '../ports';
import type { ProvisionOrganization } from './commands';

/** Creates or updates a tenant and registers its API keys and webhook secrets. Returns the key ids. */
export async function provisionOrganization(
  store: OrganizationStore,
  command: ProvisionOrganization,
  now: Date,
): Promise<{ organization: Organization; created: boolean; keyIds: string[] }> {
  const { profile } = command;
  if (profile.ibans.length === 0) {
    throw new UseCaseError('invalid', 'an organization needs at least one IBAN', [{ field: 'iban', message: 'required' }]);
  }
  const fresh: Organization = { ...profile, status: 'ACTIVE', createdAt: now.toISOString() };
  const existing = await store.get(fresh.fiscalCode);
  const organization: Organization = existing ? { ...fresh, createdAt: existing.createdAt, status: existing.status } : fresh;
  const created = existing ? false : await store.create(organization);
  if (existing) await store.put(organization);

  const keyIds: string[] = [];
  const known = new Set((await store.listApiKeys(organization.fiscalCode)).map((k) => k.keyId));
  for (const [i, key] of command.apiKeys.entries()) {
    const hash = hashApiKey(key);
    const keyId = apiKeyId(hash);
    keyIds.push(keyId);
    if (known.has(keyId)) continue;
    await store.addApiKey({ keyId, organizationFiscalCode: organization.fiscalCode, label: `seed-${i + 1}`, createdAt: now.toISOString() }, hash);
  }
  const secrets = new Set((await store.activeWebhookSecrets(organization.fiscalCode)).map((s) => s.secretId));
  for (const secret of command.webhookSecrets) {
    const secretId = webhookSecretId(secret);
    if (!secrets.has(secretId)) await store.addWebhookSecret(organization.fiscalCode, secretId, secret, now.toISOString());
  }
  return { organization, created, keyIds };
}
