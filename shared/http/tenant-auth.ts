/**
 * Who is calling: the API key → its tenant, checked against the organization in the path.
 * 401 when the key is missing, unknown or revoked; 403 when it belongs to another tenant or the
 * tenant is suspended. Positive look-ups are cached briefly per warm Lambda (revocation takes
 * effect within API_KEY_CACHE_SECONDS).
 */
import { hashApiKey } from '../domain/api-keys';
import type { Organization } from '../domain/organization';
import type { Actor, ApiKeyRecord, OrganizationStore } from '../use-cases/ports';
import { forbidden, unauthorized } from './problem';

/** The header GPD clients already send their key in (`Ocp-Apim-Subscription-Key`), lower-cased. */
export const API_KEY_HEADER = 'ocp-apim-subscription-key';

export interface Caller {
  readonly actor: Actor;
  readonly organization: Organization;
}

export type TenantAuthenticator = (
  headers: Readonly<Record<string, string | undefined>>,
  organizationFiscalCode: string,
  requestId: string,
) => Promise<Caller>;

export function makeTenantAuthenticator(deps: {
  organizations: OrganizationStore;
  cacheSeconds: number;
  clock: () => Date;
}): TenantAuthenticator {
  const cache = new Map<string, { record: ApiKeyRecord; organization: Organization | undefined; until: number }>();

  async function lookup(hash: string): Promise<{ record?: ApiKeyRecord; organization?: Organization }> {
    const now = deps.clock().getTime();
    const cached = cache.get(hash);
    if (cached && cached.until > now) return cached;
    const record = await deps.organizations.findApiKeyByHash(hash);
    if (!record || record.revokedAt !== undefined) {
      cache.delete(hash);
      return {};
    }
    const organization = await deps.organizations.get(record.organizationFiscalCode);
    if (deps.cacheSeconds > 0) {
      if (cache.size > 1000) cache.clear();
      cache.set(hash, { record, organization, until: now + deps.cacheSeconds * 1000 });
    }
    return { record, organization };
  }

  return async (headers, organizationFiscalCode, requestId) => {
    const key = headers[API_KEY_HEADER];
    if (key === undefined || key.trim() === '') {
      throw unauthorized(`the ${'Ocp-Apim-Subscription-Key'} header is required`);
    }
    if (key.length > 200) throw unauthorized('unknown or revoked API key');
    const { record, organization } = await lookup(hashApiKey(key.trim()));
    if (!record) throw unauthorized('unknown or revoked API key');
    if (record.organizationFiscalCode !== organizationFiscalCode) {
      throw forbidden('this API key is not authorized for that organization');
    }
    if (!organization || organization.status !== 'ACTIVE') {
      throw forbidden('the organization is not active');
    }
    return { actor: { organizationFiscalCode, keyId: record.keyId, requestId }, organization };
  };
}
