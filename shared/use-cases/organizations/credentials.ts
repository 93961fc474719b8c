/**
 * A tenant's credentials after provisioning: a new API key (rotation: several stay active until
 * the old one is revoked) and a new webhook secret. The caller generates them
 * (shared/domain/api-keys.ts) and shows them once; the layer keeps a hash of a key, and a secret
 * in the encrypted table.
 */
import { apiKeyId, hashApiKey, webhookSecretId } from '../../domain/api-keys';
import { UseCaseError } from '../errors';
import type { Actor, ApiKeyRecord, OrganizationStore } from '../ports';

export const MAX_KEY_LABEL_CHARS = 100;

/** Issues `key` (its hash kept, never the key) for the tenant; `by` is who asked (an operator, the admin CLI). */
export async function issueApiKey(
  store: OrganizationStore,
  organizationFiscalCode: string,
  key: string,
  label: string,
  now: Date,
  by?: Actor,
): Promise<ApiKeyRecord> {
  const trimmed = label.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_KEY_LABEL_CHARS) {
    throw new UseCaseError('invalid', 'the label is not valid', [{ field: 'label', message: `must be 1 to ${MAX_KEY_LABEL_CHARS} characters` }]);
  }
  await requireOrganization(store, organizationFiscalCode);
  const hash = hashApiKey(key);
  const record: ApiKeyRecord = { keyId: apiKeyId(hash), organizationFiscalCode, label: trimmed, createdAt: now.toISOString(), ...(by ? { issuedBy: by } : {}) };
  await store.addApiKey(record, hash);
  return record;
}

/**
 * Revokes one of the tenant's keys: requests with it are refused from then on (warm functions
 * keep a key they have seen for up to API_KEY_CACHE_SECONDS). Revoking it again changes nothing.
 */
export async function revokeApiKey(store: Pick<OrganizationStore, 'revokeApiKey'>, organizationFiscalCode: string, keyId: string, now: Date, by?: Actor): Promise<ApiKeyRecord> {
  const revoked = await store.revokeApiKey(organizationFiscalCode, keyId, now.toISOString(), by);
  if (!revoked) throw new UseCaseError('not-found', `no API key ${keyId} for ${organizationFiscalCode}`);
  return revoked;
}

/** The tenant's keys, the active ones first, newest first within each. */
export async function listApiKeys(store: Pick<OrganizationStore, 'listApiKeys'>, organizationFiscalCode: string): Promise<ApiKeyRecord[]> {
  const keys = await store.listApiKeys(organizationFiscalCode);
  return keys.sort((a, b) => Number(a.revokedAt !== undefined) - Number(b.revokedAt !== undefined) || b.createdAt.localeCompare(a.createdAt));
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
