/**
 * What an operator asks of tenants (creditor institutions), in domain terms. The edges that take
 * an operator's description of a tenant (the admin CLI, the local seed file) parse it with
 * shared/http/organization-schemas.ts and hand these to the use cases.
 */
import type { Organization } from '../../domain/organization';

/** The organization as described: everything but its state, which the layer keeps. */
export type OrganizationProfile = Omit<Organization, 'status' | 'createdAt'>;

/** Create or update a tenant, registering the given credentials (kept ones are left as they are). */
export interface ProvisionOrganization {
  readonly profile: OrganizationProfile;
  /** API keys in clear, as the operator chose them; only their hashes are stored */
  readonly apiKeys: readonly string[];
  /** webhook secrets (the receipt webhook's HMAC keys), stored in the encrypted table */
  readonly webhookSecrets: readonly string[];
}
