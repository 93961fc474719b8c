/**
 * Routes outside /organizations/{ofc} that still want a tenant's key (GPD /info: the APIM
 * subscription key is checked on every operation, openapi_external_v1.json `security`): any
 * active, unrevoked key of any tenant. The tenant authenticator compares the key's tenant with
 * the one asked for; asked for none, a valid key is the 403 "not authorized for that
 * organization", an unknown or revoked one the 401, which is what this answers.
 */
import { HttpProblem } from './problem';
import type { TenantAuthenticator } from './tenant-auth';

export async function requireAnyTenantKey(
  authenticate: TenantAuthenticator,
  headers: Readonly<Record<string, string | undefined>>,
  requestId: string,
): Promise<void> {
  try {
    await authenticate(headers, '', requestId);
  } catch (error) {
    if (error instanceof HttpProblem && error.status === 403) return;
    throw error;
  }
}
