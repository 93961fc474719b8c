/**
 * A tenant's credentials after provisioning: a new API key (rotation: several stay active until
 * the old one is revoked) and a new webhook secret. The caller generates them
 * (shared/domain/api-keys.ts) and shows them once; the layer keeps a hash of a key, and a secret
 * in the encrypted table.
 */
import { apiKeyId, hashApiKey, webhookSecretId } from '../../domain/api-keys';
import { UseCaseError } from '../errors';
import type { ApiKeyRecord, OrganizationStore } from '../ports';

export async function issueApiKey(
  store: OrganizationStore,
  organizationFiscalCode: string,
  key: string,
  label: string,
  now: Date,
): Promise<ApiKeyRecord> {
  await requireOrganization(store, organizationFiscalCode);
  const hash = hashApiKey(key);
  const record: ApiKeyRecord = { keyId: apiKeyId(hash), organizationFiscalCode, label, createdAt: now.toISOString() };
  await store.addApiKey(record, hash);
  return record;
}

export async function addWebhookSecret(
  store: OrganizationStore,
  organizationFiscalCode: string,
  secret: string,
  now: Date,
): Promise<{ secretId: string }> {
  await requireOrganization(store, organizationFiscalCode);
  const secretId = webhookSecretId(secret);
  await store.addWebhookSecret(organizationFiscalCode, secretId, secret, now.toISOString());
  return { secretId };
}

async function requireOrganization(store: Pick<OrganizationStore, 'get'>, organizationFiscalCode: string): Promise<void> {
  if (!(await store.get(organizationFiscalCode))) {
    throw new UseCaseError('not-found', `no organization ${organizationFiscalCode}`);
  }
}
